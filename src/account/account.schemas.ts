import { bodySchema } from "../http/body-fields.js";
import { currentPasswordField as currentPassword, emailField, newPasswordField } from "../users/user-fields.js";

export const changePasswordBody = bodySchema(
  { currentPassword: currentPassword("currentPassword"), newPassword: newPasswordField("newPassword") },
  "ChangePasswordBody",
);

export const changeEmailBody = bodySchema(
  { newEmail: emailField("newEmail"), password: currentPassword("password") },
  "ChangeEmailBody",
);

export const deleteAccountBody = bodySchema({ password: currentPassword("password") }, "DeleteAccountBody");
