import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig, SETTING_NAMES } from "../src/config.js";

const read = (file: string) => readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), "utf8");

describe("every setting is documented", () => {
  const example = read(".env.example");
  const readme = read("README.md");
  /** `# NAME=value` lines of .env.example. */
  const listed = new Map([...example.matchAll(/^# ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));

  it("lists every setting in .env.example and in the README's configuration table", () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(15);
    for (const name of SETTING_NAMES) {
      expect(listed.has(name), `.env.example lacks ${name}`).toBe(true);
      expect(readme, `README lacks ${name}`).toContain(`| \`${name}\` |`);
    }
    for (const name of listed.keys()) expect(SETTING_NAMES, `${name} is not a setting`).toContain(name);
  });

  it("gives in .env.example the defaults the service really uses", () => {
    const defaults = loadConfig({});
    const withDefault = [...listed].filter(([name, value]) => value !== "" && !/URL|ORIGIN/.test(name));
    expect(withDefault.length).toBeGreaterThan(10);
    for (const [name, value] of withDefault) {
      expect(loadConfig({ [name]: value }), `${name}=${value}`).toEqual(defaults);
    }
  });
});
