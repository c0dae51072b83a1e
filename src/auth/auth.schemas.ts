import { z } from "zod";
import { blankAsAbsent, text } from "../http/body-fields.js";
import { passwordContextProblem } from "../users/password-rules.js";
import { emailField, fullNameField, namePartField, newPasswordField } from "../users/user-fields.js";

/**
 * Request bodies for the auth endpoints, from the user's fields (src/users/user-fields.ts). The
 * same schemas validate requests (src/http/validate.ts) and describe them in the OpenAPI document,
 * so the two cannot drift apart.
 */

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** seed 001 sends first_name / last_name: accepted as aliases of firstName / lastName. */
function acceptSnakeCaseNames(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const b = body;
  return { ...b, firstName: b.firstName ?? b.first_name, lastName: b.lastName ?? b.last_name };
}

const present = (value: unknown) => blankAsAbsent(value) !== undefined;

/** A name is required: `name`, or both parts. */
function requireName(body: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (present(body.name) || (present(body.firstName) && present(body.lastName))) return;
  const missing = present(body.firstName) ? "lastName" : present(body.lastName) ? "firstName" : "name";
  ctx.addIssue({
    code: "custom",
    path: [missing],
    message: `${missing} is required`,
    params: { code: "MISSING_FIELDS" },
  });
}

/**
 * The password must not contain the e-mail's local part or the person's name. An issue on a
 * password that already has one is dropped by toFieldErrors (one problem per field, the first).
 */
function passwordOutOfContext(body: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (typeof body.password !== "string") return;
  const reason = passwordContextProblem(body.password, {
    email: body.email,
    names: [body.name, body.firstName, body.lastName],
  });
  if (reason)
    ctx.addIssue({ code: "custom", path: ["password"], message: reason, params: { code: "PASSWORD_TOO_COMMON" } });
}

export const registerBody = z
  .preprocess(
    acceptSnakeCaseNames,
    z
      .object(
        {
          email: emailField("email"),
          password: newPasswordField("password"),
          name: fullNameField("name").describe(
            "Full name. Give `name`, or both `firstName` and `lastName`, or all three.",
          ),
          firstName: namePartField("firstName"),
          lastName: namePartField("lastName"),
        },
        { error: "Request body must be a JSON object" },
      )
      .superRefine(
        (body, ctx) => {
          // Runs even when other fields failed, so every problem is reported at once.
          requireName(body, ctx);
          passwordOutOfContext(body, ctx);
        },
        { when: (payload) => isPlainObject(payload.value) },
      ),
  )
  .meta({ id: "RegisterBody" });

export const loginBody = z
  .object(
    {
      email: z.preprocess(
        blankAsAbsent,
        text("email").overwrite((s) => s.trim().toLowerCase()),
      ),
      password: z.preprocess(
        (value) => (value === "" || value === null ? undefined : value),
        text("password")
          .overwrite((s) => s.normalize("NFKC"))
          .meta({ writeOnly: true }),
      ),
    },
    { error: "Request body must be a JSON object" },
  )
  .meta({ id: "LoginBody" });

export type RegisterBody = z.output<typeof registerBody>;
export type LoginBody = z.output<typeof loginBody>;
