import { bodySchema, stringField } from "../http/body-fields.js";
import { emailField, newPasswordField } from "../users/user-fields.js";

/** `{ token }`: the one-time token from a link (verification, e-mail change). */
export const tokenBody = bodySchema({ token: stringField("token") }, "TokenBody");

export const forgotPasswordBody = bodySchema({ email: emailField("email") }, "ForgotPasswordBody");

/** The new password under registration's rules; a 422 leaves the token usable. */
export const resetPasswordBody = bodySchema(
  { token: stringField("token"), password: newPasswordField("password") },
  "ResetPasswordBody",
);
