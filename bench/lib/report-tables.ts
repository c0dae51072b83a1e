/** The two tables of measurements in docs/BENCHMARKS.md: the results (medians) and every run's samples. */
import { p50, p99, pairedRatio, rate, unexpected } from "./goals.js";
import type { LoadResult } from "./load.js";
import { fmt, median } from "./stats.js";
import type { EngineResults } from "./suite.js";

/** A Markdown table: the header, its rule, one line per row. */
export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const samples = (runs: LoadResult[], pick: (x: LoadResult) => number) => runs.map((x) => fmt(pick(x))).join(" · ");

/** A table row: the label, then one cell per engine. */
type RowOf = (label: string, cell: (r: EngineResults) => string) => string[];
const rowOf =
  (results: EngineResults[]): RowOf =>
  (label, cell) => [label, ...results.map(cell)];

/** The results' rows at bcrypt cost 12: the limit, register at 8 and 32 connections, login. */
function cost12Rows(row: RowOf): string[][] {
  return [
    row("bcrypt limit, cost 12 (hashes/s, service parallelism)", (r) => fmt(median(r.limit12))),
    row("bcrypt limit, cost 4 (hashes/s)", (r) => fmt(median(r.limit4))),
    row(
      "register, cost 12, 8 conn: req/s · p50 · p99 (ms)",
      (r) => `${fmt(rate(r.register12c8))} · ${fmt(p50(r.register12c8))} · ${fmt(p99(r.register12c8))}`,
    ),
    row("register, cost 12, 8 conn: ratio to limit", (r) => fmt(pairedRatio(r.register12c8, r.limitAround8))),
    row(
      "register, cost 12, 32 conn: req/s · p50 · p99 (ms)",
      (r) => `${fmt(rate(r.register12c32))} · ${fmt(p50(r.register12c32))} · ${fmt(p99(r.register12c32))}`,
    ),
    row("register, cost 12, 32 conn: ratio to limit", (r) => fmt(pairedRatio(r.register12c32, r.limitAround32))),
    row(
      "login, cost 12, 32 conn: req/s · ratio to limit",
      (r) => `${fmt(rate(r.login12))} · ${fmt(pairedRatio(r.login12, r.limitAroundLogin))}`,
    ),
  ];
}

/** The results' rows where bcrypt does not bound the rate: cost 4, /me, bare Express, the burst, duplicates. */
function withoutBcryptRows(row: RowOf): string[][] {
  return [
    row(
      "register, cost 4, 32 conn: req/s · p50 · p99 (ms)",
      (r) => `${fmt(rate(r.register4))} · ${fmt(p50(r.register4))} · ${fmt(p99(r.register4))}`,
    ),
    row("register, cost 4: server CPU per request (ms)", (r) =>
      r.engine === "postgres"
        ? `${fmt(median(r.register4CpuMs))} (+ ${fmt(median(r.register4DbCpuMs))} in PostgreSQL)`
        : `${fmt(median(r.register4CpuMs))} (database included: in-process)`,
    ),
    row("GET /api/v1/auth/me, 32 conn: req/s · p99 (ms)", (r) => `${fmt(rate(r.me))} · ${fmt(p99(r.me))}`),
    row("bare Express 5 route, 32 conn: req/s · p99 (ms)", (r) => `${fmt(rate(r.bare))} · ${fmt(p99(r.bare))}`),
    row(
      "sign-up burst: register@32 req/s · /me probe p50 · p99 (ms)",
      (r) => `${fmt(rate(r.burstLoad))} · ${fmt(p50(r.burstProbe))} · ${fmt(p99(r.burstProbe))}`,
    ),
    row("duplicates, cost 12, 32 conn: req/s (409s)", (r) => fmt(rate(r.duplicates12))),
  ];
}

/** The results' rows as the store grows, at start-up, and the server's memory. */
function growthAndStartupRows(results: EngineResults[], row: RowOf): string[][] {
  return [
    ...(results[0]?.growth ?? []).map((g, i) =>
      row(`growth: register p50, cost 4, 8 conn, ${fmt(g.users)} users stored (ms)`, (r) =>
        fmt(p50(r.growth[i]?.runs ?? [])),
      ),
    ),
    row("start-up to /readyz, empty store (ms)", (r) => fmt(median(r.startupEmptyMs))),
    row("start-up to /readyz, existing data (ms)", (r) => fmt(median(r.startupExistingMs))),
    row(`start-up to /readyz, ${fmt(results[0]?.growth.at(-1)?.users)} users stored (ms)`, (r) =>
      fmt(r.growth.at(-1)?.startupMs),
    ),
    row("peak RSS of the server process under register@32 (MiB)", (r) => fmt(r.peakRssMiB)),
  ];
}

/** The results: one row per measurement (medians of the runs), one column per engine. */
export function resultsTable(results: EngineResults[], cols: string[]): string {
  const row = rowOf(results);
  const rows = [...cost12Rows(row), ...withoutBcryptRows(row), ...growthAndStartupRows(results, row)];
  return table(["measurement", ...cols], rows);
}

/** Every response other than the expected status, per kind of request, e.g. "login: 503×2; …". */
function unexpectedStatuses(r: EngineResults): string {
  return [
    ["register c12", unexpected([...r.register12c8, ...r.register12c32, ...r.burstLoad], 201)],
    ["login", unexpected(r.login12, 200)],
    ["duplicates", unexpected(r.duplicates12, 409)],
    ["register c4", unexpected([...r.register4, ...r.growth.flatMap((g) => g.runs)], 201)],
    ["/me", unexpected([...r.me, ...r.burstProbe], 200)],
  ]
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
}

/** Each sample of every run, in order, and the responses other than the expected status. */
export function everyRunTable(results: EngineResults[], cols: string[]): string {
  const row = rowOf(results);
  return table(
    ["run (each sample, in order)", ...cols],
    [
      row("bcrypt limit cost 12 (hashes/s), every sample", (r) => r.limit12.map((v) => fmt(v)).join(" · ")),
      row("register c12 @8: rate ÷ limit around it", (r) =>
        r.register12c8.map((x, i) => fmt(x.okRate / (r.limitAround8[i] ?? Number.NaN))).join(" · "),
      ),
      row("register c12 @32: rate ÷ limit around it", (r) =>
        r.register12c32.map((x, i) => fmt(x.okRate / (r.limitAround32[i] ?? Number.NaN))).join(" · "),
      ),
      row("login c12: rate ÷ limit around it", (r) =>
        r.login12.map((x, i) => fmt(x.okRate / (r.limitAroundLogin[i] ?? Number.NaN))).join(" · "),
      ),
      row("register c12 @8 req/s", (r) => samples(r.register12c8, (x) => x.okRate)),
      row("register c12 @8 p50 / p99", (r) => r.register12c8.map((x) => `${fmt(x.p50)}/${fmt(x.p99)}`).join(" · ")),
      row("register c12 @32 req/s", (r) => samples(r.register12c32, (x) => x.okRate)),
      row("register c12 @32 p50 / p99", (r) => r.register12c32.map((x) => `${fmt(x.p50)}/${fmt(x.p99)}`).join(" · ")),
      row("login c12 req/s", (r) => samples(r.login12, (x) => x.okRate)),
      row("burst probe p99 (ms)", (r) => samples(r.burstProbe, (x) => x.p99)),
      row("duplicates req/s", (r) => samples(r.duplicates12, (x) => x.okRate)),
      row("register c4 req/s", (r) => samples(r.register4, (x) => x.okRate)),
      row("/me req/s", (r) => samples(r.me, (x) => x.okRate)),
      row("bare Express req/s", (r) => samples(r.bare, (x) => x.okRate)),
      ...(results[0]?.growth ?? []).map((g, i) =>
        row(`growth p50, ${fmt(g.users)} users (ms)`, (r) => samples(r.growth[i]?.runs ?? [], (x) => x.p50)),
      ),
      row("start-up, empty (ms)", (r) => r.startupEmptyMs.map((v) => fmt(v)).join(" · ")),
      row("start-up, existing (ms)", (r) => r.startupExistingMs.map((v) => fmt(v)).join(" · ")),
      row("responses other than the expected status", unexpectedStatuses),
    ],
  );
}
