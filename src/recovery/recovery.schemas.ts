import { z } from "zod";
import { emailField, newPasswordField, stringField } from "../auth/auth.schemas.js";

const object = <T extends z.core.$ZodLooseShape>(shape: T, id: string) =>
  z.object(shape, { error: "Request body must be a JSON object" }).meta({ id });

/** `{ token }`: the one-time token from a link (verification, e-mail change). */
export const tokenBody = object({ token: stringField("token") }, "TokenBody");

export const forgotPasswordBody = object({ email: emailField("email") }, "ForgotPasswordBody");

/** The new password under registration's rules; a 422 leaves the token usable. */
export const resetPasswordBody = object(
  { token: stringField("token"), password: newPasswordField("password") },
  "ResetPasswordBody",
);
