import { z } from "zod";
import { emailField, newPasswordField, stringField } from "../auth/auth.schemas.js";

const object = <T extends z.core.$ZodLooseShape>(shape: T, id: string) =>
  z.object(shape, { error: "Request body must be a JSON object" }).meta({ id });

/** A re-entered password: any string (it is compared, not judged). */
const currentPassword = (field: string) => stringField(field).meta({ writeOnly: true });

export const changePasswordBody = object(
  { currentPassword: currentPassword("currentPassword"), newPassword: newPasswordField("newPassword") },
  "ChangePasswordBody",
);

export const changeEmailBody = object(
  { newEmail: emailField("newEmail"), password: currentPassword("password") },
  "ChangeEmailBody",
);

export const deleteAccountBody = object({ password: currentPassword("password") }, "DeleteAccountBody");
