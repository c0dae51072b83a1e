// `npm run lint`: fails when a source file (tests, styles and benchmarks included) is over 250
// lines, so that a newcomer can read any file whole. Functions have their own limit (biome.json).
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const MAX_LINES = 250;
const ROOT = join(import.meta.dirname, "..");
const FOLDERS = ["src", "test", "bench", "scripts", "web/src"];
const SOURCE = /\.(ts|mts|mjs|cjs|astro|css)$/;
const SKIP = /(^|\/)(node_modules|dist|data)(\/|$)/;

const tooLong = [];
for (const folder of FOLDERS) {
  for (const name of readdirSync(join(ROOT, folder), { recursive: true })) {
    const path = join(folder, String(name));
    if (!SOURCE.test(path) || SKIP.test(path)) continue;
    const text = readFileSync(join(ROOT, path), "utf8");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES) tooLong.push(`${relative(ROOT, join(ROOT, path))}: ${lines} lines`);
  }
}

if (tooLong.length > 0) {
  console.error(`Files over ${MAX_LINES} lines (split them along a seam):\n  ${tooLong.join("\n  ")}`);
  process.exit(1);
}
console.log(`file sizes: every source file is at most ${MAX_LINES} lines`);
