import { bodySchema, stringField } from "../http/body-fields.js";
import { emailField, newPasswordField } from "../users/user-fields.js";

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
