import { describe, expect, expectTypeOf, it } from "vitest";
import type { SecurityEvent as ApiSecurityEvent } from "../src/events/events.js";
import { buildOpenApiDocument } from "../src/openapi.js";
import type { User as ApiUser } from "../src/users/user.js";
import type { SecurityEvent, Session, User } from "../web/src/lib/api-types.js";

/**
 * The web client keeps its own copy of the API's user (an HTTP client owns the shape it reads).
 * This keeps the copy true: the types are compared by `npm run typecheck`, the fields with the
 * OpenAPI document at run time.
 */
interface JsonSchema {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  enum?: string[];
}

const schemas = () =>
  (buildOpenApiDocument() as { components: { schemas: Record<string, JsonSchema> } }).components.schemas;
const userSchema = () => schemas().User as JsonSchema;

/** Each field of the web client's User, with the JSON types it may hold: the compiler requires every key, no more. */
const WEB_USER_TYPES: Record<keyof User, string[]> = {
  id: ["string"],
  email: ["string"],
  name: ["string"],
  firstName: ["string", "null"],
  lastName: ["string", "null"],
  role: ["string"],
  isAdmin: ["boolean"],
  emailVerified: ["boolean"],
  createdAt: ["string"],
};

const typesOf = (schema: JsonSchema): string[] =>
  schema.anyOf ? schema.anyOf.flatMap(typesOf) : [schema.type ?? []].flat();

describe("the web client's copy of the API's user", () => {
  it("is the API's user type, with the OpenAPI document's User fields, each required, of the same JSON types", () => {
    // Checked by the compiler (npm run typecheck): the zod schema's output type, exactly.
    expectTypeOf<User>().toEqualTypeOf<ApiUser>();
    expectTypeOf<Session>().toEqualTypeOf<{ token: string; user: ApiUser }>();
    const schema = userSchema();
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(Object.keys(WEB_USER_TYPES).sort());
    expect([...(schema.required ?? [])].sort()).toEqual(Object.keys(WEB_USER_TYPES).sort());
    for (const [field, types] of Object.entries(WEB_USER_TYPES))
      expect(typesOf(schema.properties?.[field] ?? {}).sort(), field).toEqual([...types].sort());
    expect(schema.properties?.role?.enum).toEqual(["user", "admin"]);
  });
});

describe("the web client's copy of the API's security event", () => {
  it("has the OpenAPI document's fields, `count` the one optional", () => {
    // The API's `type` is an enum the web client reads as any string (it words the ones it knows).
    expectTypeOf<ApiSecurityEvent>().toExtend<SecurityEvent>();
    const keys: Record<keyof SecurityEvent, true> = {
      type: true,
      createdAt: true,
      ip: true,
      userAgent: true,
      count: true,
    };
    const item = schemas().EventList?.properties?.events?.items ?? {};
    expect(Object.keys(item.properties ?? {}).sort()).toEqual(Object.keys(keys).sort());
    expect([...(item.required ?? [])].sort()).toEqual(["createdAt", "ip", "type", "userAgent"]);
  });
});
