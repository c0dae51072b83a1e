import request from "supertest";
import { describe, expect, it } from "vitest";
import { newUserBody, TEST_ENGINES, uniqueEmail } from "./helpers.js";
import { linkIn, mailsTo, useSmtpServer, waitForMail } from "./support/mail.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const LOGIN = "/api/v1/auth/login";
const ME = "/api/v1/auth/me";
const CHANGE_EMAIL = "/api/v1/auth/email/change";
const CONFIRM_EMAIL = "/api/v1/auth/email/confirm";
const CANCEL = "/api/v1/auth/email/change/cancel";

/**
 * Issue 19, item 5: a pending e-mail change does not outlive the owner's remedies. Its link is
 * bound to the session that asked; a password change and "Log out of all other sessions" void
 * it; the notice to the old address carries a "Cancel this change" link. Over real SMTP.
 */
describe.each(TEST_ENGINES)("a pending e-mail change and the owner's remedies on $name", (engine) => {
  const smtp = useSmtpServer();
  const portico = usePortico({ engine, env: () => ({ SMTP_URL: smtp.url }) });
  const api = () => request(portico.app);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** The owner's session and an attacker's (a stolen session, or one signed in with a leaked password). */
  async function ownerAndAttacker() {
    const body = newUserBody();
    const owner = await api().post(REGISTER).send(body);
    expect(owner.status).toBe(201);
    const attacker = await api().post(LOGIN).send({ email: body.email, password: body.password });
    expect(attacker.status).toBe(200);
    return { body, owner: owner.body.token as string, attacker: attacker.body.token as string };
  }

  /** The change asked for with `token`; its confirmation link, and the notice's cancel link. */
  async function requestChange(token: string, email: string, password: string) {
    const newEmail = uniqueEmail("attacker");
    const NOTICE = /change of your email/i;
    const nth = mailsTo(smtp, email).filter((mail) => NOTICE.test(mail.subject ?? "")).length + 1;
    const res = await api().post(CHANGE_EMAIL).set(bearer(token)).send({ newEmail, password });
    expect(res.status).toBe(202);
    const confirm = linkIn(await waitForMail(smtp, newEmail, /new email/i), "/confirm-email").token;
    const notice = await waitForMail(smtp, email, NOTICE, nth);
    return { newEmail, confirm, cancelLink: () => linkIn(notice, "/cancel-email-change").token };
  }

  const confirmWith = (token: string) => api().post(CONFIRM_EMAIL).send({ token });

  async function expectUnchanged(token: string, email: string, confirm: string) {
    const res = await confirmWith(confirm);
    expect([res.status, res.body.code]).toEqual([400, "INVALID_TOKEN"]);
    expect((await api().get(ME).set(bearer(token))).body.user.email).toBe(email);
  }

  it("a password change voids it: the link answers 400 INVALID_TOKEN", async () => {
    const { body, owner, attacker } = await ownerAndAttacker();
    const { confirm } = await requestChange(attacker, body.email, body.password);
    const changed = await api()
      .post("/api/v1/auth/password/change")
      .set(bearer(owner))
      .send({ currentPassword: body.password, newPassword: "a brand new passphrase" });
    expect(changed.status).toBe(204);
    await expectUnchanged(owner, body.email, confirm);
  });

  it("a password change voids even a change the same session asked for", async () => {
    const { body, owner } = await ownerAndAttacker();
    const { confirm } = await requestChange(owner, body.email, body.password);
    await api()
      .post("/api/v1/auth/password/change")
      .set(bearer(owner))
      .send({ currentPassword: body.password, newPassword: "a brand new passphrase" })
      .expect(204);
    await expectUnchanged(owner, body.email, confirm);
  });

  it('"Log out of all other sessions" from another session voids it', async () => {
    const { body, owner, attacker } = await ownerAndAttacker();
    const { confirm } = await requestChange(attacker, body.email, body.password);
    const res = await api().post("/api/v1/auth/sessions/revoke-others").set(bearer(owner));
    expect(res.body).toEqual({ revoked: 1 });
    await expectUnchanged(owner, body.email, confirm);
  });

  it("revoke-others voids the caller's own pending change too; logging out the asking session voids it", async () => {
    const { body, owner, attacker } = await ownerAndAttacker();
    const own = await requestChange(owner, body.email, body.password);
    await api().post("/api/v1/auth/sessions/revoke-others").set(bearer(owner)).expect(200);
    await expectUnchanged(owner, body.email, own.confirm);

    const again = await api().post(LOGIN).send({ email: body.email, password: body.password });
    const asked = await requestChange(again.body.token, body.email, body.password);
    await api().post("/api/v1/auth/logout").set(bearer(again.body.token)).expect(204);
    await expectUnchanged(owner, body.email, asked.confirm);
    expect(attacker).not.toBe(again.body.token);
  });

  it("the notice's cancel link voids it; pressing it again is fine; after a confirmed change it is 400", async () => {
    const { body, owner, attacker } = await ownerAndAttacker();
    const { confirm, cancelLink } = await requestChange(attacker, body.email, body.password);
    const cancel = cancelLink();
    expect((await api().post(CANCEL).send({ token: cancel })).status).toBe(204);
    await expectUnchanged(owner, body.email, confirm);
    expect((await api().post(CANCEL).send({ token: cancel })).status).toBe(204);

    const mine = await requestChange(owner, body.email, body.password);
    const done = await confirmWith(mine.confirm);
    expect([done.status, done.body.user.email]).toEqual([200, mine.newEmail]);
    const late = await api().post(CANCEL).send({ token: mine.cancelLink() });
    expect([late.status, late.body.code]).toEqual([400, "INVALID_TOKEN"]);
    expect((await api().get(ME).set(bearer(owner))).body.user.email).toBe(mine.newEmail);
  });

  it("the cancel endpoint: 400 INVALID_TOKEN for an unknown token, 422 without one", async () => {
    const unknown = await api()
      .post(CANCEL)
      .send({ token: "A".repeat(43) });
    expect([unknown.status, unknown.body.code]).toEqual([400, "INVALID_TOKEN"]);
    expect((await api().post(CANCEL).send({})).status).toBe(422);
  });
});
