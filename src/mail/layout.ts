/** What every mail is made of; the templates fill it in, `renderMail` writes both parts. */
export interface MailContent {
  subject: string;
  /**
   * The recipient's name, for the greeting; none for an address nobody has proven yet (a name
   * anyone can choose must not reach a stranger's inbox): "Hello,".
   */
  name?: string | undefined;
  /** What happened, one paragraph each. */
  paragraphs: string[];
  /** A link to follow, with the words of its button and how long it lives. */
  action?: { label: string; url: string; expiresInMinutes?: number | undefined };
  /** "If this wasn't you…" advice. */
  advice: string;
  /** Where the advice points, e.g. the reset-password page; shown as a plain link. */
  adviceUrl?: string | undefined;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const PRODUCT = "Portico";

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** "30 minutes", "1 hour", "24 hours". */
export function formatLifetime(minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) {
    const hours = minutes / 60;
    return hours === 1 ? "1 hour" : `${hours} hours`;
  }
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** Links come from PUBLIC_ORIGIN; anything but http(s) (a `javascript:` URL) is a bug. */
function checkedUrl(url: string): string {
  if (!/^https?:\/\//i.test(url)) throw new Error("A mail link must be an http(s) URL");
  return url;
}

function expiryLine(minutes: number | undefined): string | undefined {
  return minutes === undefined ? undefined : `This link expires in ${formatLifetime(minutes)}.`;
}

const greeting = (mail: MailContent) => (mail.name ? `Hello ${mail.name},` : "Hello,");

function renderText(mail: MailContent): string {
  const lines = [greeting(mail), "", ...mail.paragraphs.flatMap((p) => [p, ""])];
  if (mail.action) {
    lines.push(`${mail.action.label}:`, checkedUrl(mail.action.url), "");
    const expiry = expiryLine(mail.action.expiresInMinutes);
    if (expiry) lines.push(expiry, "");
  }
  lines.push(mail.advice);
  if (mail.adviceUrl) lines.push(checkedUrl(mail.adviceUrl));
  lines.push("", `— ${PRODUCT}`, "");
  return lines.join("\n");
}

const STYLE = {
  body: "margin:0;padding:24px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;color:#1f2937;",
  card: "max-width:560px;margin:0 auto;padding:32px;background:#ffffff;border-radius:8px;",
  brand: "margin:0 0 24px;font-size:20px;font-weight:bold;color:#1d4ed8;",
  p: "margin:0 0 16px;font-size:16px;line-height:24px;",
  button:
    "display:inline-block;padding:12px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;",
  small: "margin:0 0 16px;font-size:14px;line-height:20px;color:#4b5563;word-break:break-all;",
  footer: "margin:24px 0 0;font-size:13px;color:#6b7280;",
};

const paragraph = (text: string, style = STYLE.p) => `<p style="${style}">${escapeHtml(text)}</p>`;

function renderAction(action: NonNullable<MailContent["action"]>): string[] {
  const url = escapeHtml(checkedUrl(action.url));
  const parts = [
    `<p style="${STYLE.p}"><a href="${url}" style="${STYLE.button}">${escapeHtml(action.label)}</a></p>`,
    `<p style="${STYLE.small}">Or copy this link into your browser: <a href="${url}">${url}</a></p>`,
  ];
  const expiry = expiryLine(action.expiresInMinutes);
  if (expiry) parts.push(paragraph(expiry));
  return parts;
}

function renderHtml(mail: MailContent): string {
  const advice = mail.adviceUrl
    ? `<p style="${STYLE.small}">${escapeHtml(mail.advice)} <a href="${escapeHtml(checkedUrl(mail.adviceUrl))}">${escapeHtml(mail.adviceUrl)}</a></p>`
    : paragraph(mail.advice, STYLE.small);
  const content = [
    `<p style="${STYLE.brand}">${PRODUCT}</p>`,
    paragraph(greeting(mail)),
    ...mail.paragraphs.map((p) => paragraph(p)),
    ...(mail.action ? renderAction(mail.action) : []),
    advice,
    `<p style="${STYLE.footer}">This is an automatic message from ${PRODUCT}.</p>`,
  ];
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(mail.subject)}</title></head>`,
    `<body style="${STYLE.body}"><div style="${STYLE.card}">`,
    ...content,
    "</div></body>",
    "</html>",
    "",
  ].join("\n");
}

/** Both parts of a mail: plain text, and HTML with inline styles only and no remote images. */
export function renderMail(mail: MailContent): RenderedMail {
  return { subject: `${mail.subject} — ${PRODUCT}`, text: renderText(mail), html: renderHtml(mail) };
}
