import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { mailsTo, useSmtpServer, waitForMail } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const ME = "/api/v1/auth/me";

/** Deleting an account mails a notice to the address it had (SPEC §13; issue 19 item 9). */
describe.each(TEST_ENGINES)("the account-deleted notice on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url }) });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function register() {
    const body = newUserBody();
    const res = await api().post("/api/v1/auth/register").send(body);
    expect(res.status).toBe(201);
    return { body, token: res.body.token as string, userId: res.body.user.id as string };
  }

  it("DELETE /me mails the old address a notice with no link and no secret; the user's own mails go", async () => {
    const { body, token, userId } = await register();
    await waitForMail(smtp, body.email, /Confirm your email/);
    expect((await api().delete(ME).set(bearer(token)).send({ password: body.password })).status).toBe(204);

    const notice = await waitForMail(smtp, body.email, /Your account was deleted/);
    expect(notice.text).toContain(`Hello ${body.firstName} ${body.lastName},`);
    expect(notice.text).toContain("were deleted");
    for (const part of [notice.text ?? "", String(notice.html)]) {
      expect(part).not.toMatch(/https?:\/\//);
      expect(part).not.toMatch(/[A-Za-z0-9_-]{43}/); // no one-time token
      expect(part).not.toContain(body.password);
      expect(part).not.toContain("<a ");
    }
    const db = portico.database.kysely;
    expect(await db.selectFrom("mail_outbox").select("id").where("user_id", "=", userId).execute()).toEqual([]);
    const row = await db
      .selectFrom("mail_outbox")
      .select("user_id")
      .where("recipient", "=", body.email)
      .where("kind", "=", "account_deleted")
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ user_id: null }); // it outlives the user (ON DELETE CASCADE would drop it)
  });

  it("two deletions at once: one notice", async () => {
    const { body, token } = await register();
    await waitForMail(smtp, body.email, /Confirm your email/);
    const answers = await Promise.all(
      [1, 2].map(() => api().delete(ME).set(bearer(token)).send({ password: body.password })),
    );
    expect(answers.map((res) => res.status)).toContain(204);
    await waitForMail(smtp, body.email, /Your account was deleted/);
    const notices = await portico.database.kysely
      .selectFrom("mail_outbox")
      .select("id")
      .where("recipient", "=", body.email)
      .where("kind", "=", "account_deleted")
      .execute();
    expect(notices).toHaveLength(1);
    expect(mailsTo(smtp, body.email).filter((mail) => /deleted/.test(mail.subject ?? ""))).toHaveLength(1);
  });
});
