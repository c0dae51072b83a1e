import { z } from "zod";
import { stringField } from "../auth/auth.schemas.js";

const object = <T extends z.core.$ZodLooseShape>(shape: T, id: string) =>
  z.object(shape, { error: "Request body must be a JSON object" }).meta({ id });

const code = stringField("code").meta({ description: "A 6-digit TOTP code, or (at sign-in) an unused recovery code" });

export const enableTotpBody = object({ code }, "EnableTotpBody");
export const disableTotpBody = object(
  { password: stringField("password").meta({ writeOnly: true }) },
  "DisableTotpBody",
);
export const verifyMfaBody = object({ mfaToken: stringField("mfaToken"), code }, "VerifyMfaBody");

export const totpSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string() }).strict();
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()).length(10) }).strict();
export const mfaStatusSchema = z.object({ totp: z.boolean(), recoveryCodesLeft: z.number().int() }).strict();
export const mfaRequiredSchema = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() }).strict();
