// Adds lockfile entries for platform packages that this machine's registry does not serve.
//
// Why: the registry reachable here serves only Linux x64 builds of packages such as
// @biomejs/cli-* and @rollup/rollup-*. `npm install` then leaves the other platforms' optional
// packages out of package-lock.json, and `npm ci` (npm 11) refuses that very lockfile as
// "Missing: … from lock file" (npm/cli#9846). An entry with the exact version the parent pins,
// its os/cpu and `optional: true` is what a full registry would have written; npm skips it on
// other platforms, and resolves it by name and version on its own.
//
// Run after `npm install` changes the lockfile: node scripts/lock-unavailable-optionals.mjs
import { readFileSync, writeFileSync } from "node:fs";

const OS = ["android", "darwin", "freebsd", "linux", "openbsd", "openharmony", "win32", "sunos", "aix"];
const CPU = ["arm64", "x64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "mips64el"];

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (!path || !entry.optionalDependencies) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const key = `node_modules/${name}`;
    if (packages[key] || packages[`${path}/node_modules/${name}`]) continue;
    if (!/^\d+\.\d+\.\d+/.test(version)) continue; // only exact pins: the platform-binary pattern
    const parts = name.split("/").pop().split("-");
    const os = parts.find((p) => OS.includes(p));
    const cpu = parts.find((p) => CPU.includes(p));
    if (!os || !cpu) continue;
    packages[key] = {
      version,
      ...(entry.dev && { dev: true }),
      optional: true,
      os: [os],
      cpu: [cpu],
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile: ${added} unavailable optional platform package(s) recorded`);
