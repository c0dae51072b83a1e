import { z } from "zod";
import { bodySchema, stringField } from "../http/body-fields.js";
import { currentPasswordField } from "../users/user-fields.js";

const code = stringField("code").meta({ description: "A 6-digit TOTP code, or (at sign-in) an unused recovery code" });

/** Binding a new authenticator needs the current password (SPEC §20), not the session alone. */
export const enableTotpBody = bodySchema({ code, password: currentPasswordField("password") }, "EnableTotpBody");
export const disableTotpBody = bodySchema({ password: currentPasswordField("password") }, "DisableTotpBody");
export const verifyMfaBody = bodySchema({ mfaToken: stringField("mfaToken"), code }, "VerifyMfaBody");

export const totpSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string() }).strict();
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()).length(10) }).strict();
export const mfaStatusSchema = z.object({ totp: z.boolean(), recoveryCodesLeft: z.number().int() }).strict();
export const mfaRequiredSchema = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() }).strict();
