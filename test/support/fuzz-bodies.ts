import { randomUUID } from "node:crypto";
import fc from "fast-check";

/** A request body as bytes on the wire, with the Content-Type it is sent with. */
export interface FuzzBody {
  raw: Buffer;
  contentType?: string;
  /** What the body was made from, for fast-check's failure report. */
  toString(): string;
}

function body(raw: Buffer | string, contentType?: string): FuzzBody {
  const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw;
  return {
    raw: bytes,
    ...(contentType !== undefined && { contentType }),
    toString: () => `${contentType ?? "application/json"} ${bytes.toString("utf8").slice(0, 500)}`,
  };
}

/** Strings that break naive code: NUL, lone surrogates, control characters, RTL marks, huge ones. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b@example.com",
    "\ud800",
    "x\udfffy",
    "\udc00\ud800",
    "\u202eevil",
    "\ufeff",
    "é".normalize("NFD"),
    "ﬀﬀﬀﬀﬀﬀﬀﬀ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "$2b$04$abcdefghijklmnopqrstuu",
    "__proto__",
    "constructor",
    "😀".repeat(20),
    "   ",
    "",
  ),
  fc.integer({ min: 1, max: 20_000 }).map((n) => "a".repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `${"x".repeat(n)}@example.com`),
);

/** JSON values of every type, including nested containers. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, [], {}, [""], { toString: "x" }),
);

/** A JSON object text built from key/value pairs, so `__proto__` and repeated keys are real keys. */
function objectText(entries: [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`;
}

const dangerousKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "role",
  "isAdmin",
  "id",
  "createdAt",
  "password_hash",
);

function fieldsOf(names: readonly string[]): fc.Arbitrary<[string, unknown][]> {
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, dangerousKey, fc.string({ maxLength: 8 }));
  return fc.array(fc.tuple(key, anyValue), { maxLength: 8 });
}

/** Arrays or objects nested thousands deep (up to the 16 KiB body limit, and past it). */
const deepNesting = fc
  .tuple(fc.integer({ min: 1, max: 9_000 }), fc.boolean(), fc.constantFrom("email", "password", "name"))
  .map(([depth, arrays, field]) => {
    const open = arrays ? "[".repeat(depth) : '{"a":'.repeat(depth);
    const close = arrays ? "]".repeat(depth) : "}".repeat(depth);
    return `{"${field}":${open}1${close}}`;
  });

/** Bytes that are not valid UTF-8: a lone surrogate encoded CESU-style, stray continuation bytes. */
const badUtf8 = fc
  .tuple(fc.string({ maxLength: 10 }), fc.uint8Array({ minLength: 1, maxLength: 12 }))
  .map(([s, bytes]) =>
    Buffer.concat([
      Buffer.from(`{"email":"${s}`),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from(bytes),
      Buffer.from('","password":"x"}'),
    ]),
  );

/** Bodies that are not a JSON object: broken JSON, other types, other media types, NUL bytes. */
const rawBodies: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }).map((s) => body(s)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => body(JSON.stringify(v))),
  fc
    .constantFrom("{", '{"email":', "[]", "null", "0", '"x"', "{}}", '{"a":1,}', "\u0000", '{"email":"\u0000"}')
    .map((s) => body(s)),
  deepNesting.map((s) => body(s)),
  badUtf8.map((b) => body(b)),
  fc.integer({ min: 16_000, max: 40_000 }).map((n) => body(`{"email":"${"a".repeat(n)}"}`)),
  fc
    .tuple(
      fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "application/xml", ""),
      fc.string({ maxLength: 50 }),
    )
    .map(([type, s]) => body(s.length > 0 ? s : "email=a", type)),
  fc
    .constantFrom("utf-16", "latin1", "x-unknown")
    .map((charset) => body('{"email":"a"}', `application/json; charset=${charset}`)),
);

const goodPassword = () => `Fuzz-${randomUUID()}`;

/** A valid body with one field swapped for something strange (and sometimes left valid). */
function nearValid(valid: () => Record<string, unknown>, fields: readonly string[]): fc.Arbitrary<FuzzBody> {
  return fc
    .tuple(fc.constantFrom(...fields, "(none)"), anyValue, fieldsOf(["__proto__", "role", "isAdmin"]))
    .map(([field, value, extra]) => {
      const entries = Object.entries(valid());
      const changed = entries.map(([k, v]): [string, unknown] => (k === field ? [k, value] : [k, v]));
      return body(objectText([...changed, ...extra]));
    });
}

const REGISTER_FIELDS = ["email", "password", "name", "firstName", "lastName", "first_name", "last_name"] as const;

export const registerBodies = {
  json: fc.oneof(
    { weight: 4, arbitrary: fieldsOf(REGISTER_FIELDS).map((entries) => body(objectText(entries))) },
    { weight: 1, arbitrary: anyValue.map((v) => body(JSON.stringify(v) ?? "null")) },
  ),
  raw: rawBodies,
  nearValid: nearValid(
    () => ({
      email: `fuzz-${randomUUID()}@example.com`,
      password: goodPassword(),
      firstName: "Ada",
      lastName: "Lovelace",
    }),
    REGISTER_FIELDS,
  ),
};

export const loginBodies = {
  json: fc.oneof(
    { weight: 4, arbitrary: fieldsOf(["email", "password"]).map((entries) => body(objectText(entries))) },
    { weight: 1, arbitrary: anyValue.map((v) => body(JSON.stringify(v) ?? "null")) },
  ),
  raw: rawBodies,
  /** Near-valid logins for one registered user: left unchanged, they sign in (200). */
  nearValid: (credentials: { email: string; password: string }) =>
    nearValid(() => ({ ...credentials }), ["email", "password"]),
};
