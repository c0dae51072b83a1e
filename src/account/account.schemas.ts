import { bodySchema, emailField, newPasswordField, stringField } from "../auth/auth.schemas.js";

/** A re-entered password: any string (it is compared, not judged). */
const currentPassword = (field: string) => stringField(field).meta({ writeOnly: true });

export const changePasswordBody = bodySchema(
  { currentPassword: currentPassword("currentPassword"), newPassword: newPasswordField("newPassword") },
  "ChangePasswordBody",
);

export const changeEmailBody = bodySchema(
  { newEmail: emailField("newEmail"), password: currentPassword("password") },
  "ChangeEmailBody",
);

export const deleteAccountBody = bodySchema({ password: currentPassword("password") }, "DeleteAccountBody");
