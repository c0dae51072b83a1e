/** The benchmark chart: an SVG written by hand (no browser, no download), four grouped-bar panels. */
import { evaluateGoals, p50, rate } from "./goals.js";
import { fmt, median } from "./stats.js";
import type { EngineResults } from "./suite.js";

interface Series {
  name: string;
  color: string;
  values: number[];
  labels?: string[];
}

interface Panel {
  title: string;
  unit: string;
  categories: string[];
  series: Series[];
  /** A dashed horizontal line (e.g. 1.0 = the goal). */
  reference?: { value: number; label: string };
  /** Bars are cut at this value (their label still says the real one). */
  cap?: number;
}

const COLORS: Record<string, string> = { pglite: "#3b6fb6", postgres: "#e08a2c" };
const NAMES: Record<string, string> = { pglite: "PGlite", postgres: "PostgreSQL server" };
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A panel's plot area in the SVG, and where a value lands on its vertical axis. */
interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  maxValue: number;
  scale: (v: number) => number;
}

function frameOf(p: Panel, x: number, y: number, w: number, h: number): Frame {
  const top = y + 52;
  const bottom = y + h - 46;
  const finite = p.series.flatMap((s) => s.values).filter(Number.isFinite);
  const maxValue = Math.max(p.reference?.value ?? 0, ...finite.map((v) => Math.min(v, p.cap ?? v))) * 1.15 || 1;
  const scale = (v: number) => bottom - (Math.min(v, p.cap ?? v) / maxValue) * (bottom - top);
  return { x, y, w, h, top, bottom, left: x + 50, right: x + w - 12, maxValue, scale };
}

/** The title, the unit, the baseline and five grid lines with their values. */
function axes(p: Panel, { x, y, w, left, right, bottom, maxValue, scale }: Frame): string[] {
  const out: string[] = [
    `<text x="${x + w / 2}" y="${y + 20}" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
    `<text x="${x + 8}" y="${y + 36}" font-size="11" fill="#555">${esc(p.unit)}</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (maxValue / 4) * i;
    const gy = scale(v);
    out.push(`<line x1="${left}" y1="${gy}" x2="${right}" y2="${gy}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 4}" y="${gy + 4}" text-anchor="end" font-size="10" fill="#555">${fmt(v, 2)}</text>`);
  }
  return out;
}

/** One group of bars per category (one bar per series, labelled), the category's name below it. */
function bars(p: Panel, { left, right, bottom, scale }: Frame): string[] {
  const out: string[] = [];
  const groupW = (right - left) / p.categories.length;
  const barW = Math.min(40, (groupW * 0.8) / p.series.length);
  p.categories.forEach((category, c) => {
    const gx = left + groupW * c + (groupW - barW * p.series.length) / 2;
    p.series.forEach((s, i) => {
      const v = s.values[c] ?? Number.NaN;
      if (!Number.isFinite(v)) return;
      const bx = gx + i * barW;
      const by = scale(v);
      out.push(`<rect x="${bx}" y="${by}" width="${barW - 2}" height="${bottom - by}" fill="${s.color}"/>`);
      const label = s.labels?.[c] ?? fmt(v);
      out.push(
        `<text x="${bx + (barW - 2) / 2}" y="${by - 3}" text-anchor="middle" font-size="9">${esc(label)}</text>`,
      );
    });
    out.push(
      `<text x="${left + groupW * c + groupW / 2}" y="${bottom + 14}" text-anchor="middle" font-size="10">${esc(category)}</text>`,
    );
  });
  return out;
}

/** The dashed reference line and its label, if the panel has one. */
function referenceLine(p: Panel, { left, right, scale }: Frame): string[] {
  if (!p.reference) return [];
  const ry = scale(p.reference.value);
  return [
    `<line x1="${left}" y1="${ry}" x2="${right}" y2="${ry}" stroke="#c00" stroke-dasharray="5,4"/>`,
    `<text x="${right}" y="${ry - 4}" text-anchor="end" font-size="10" fill="#c00">${esc(p.reference.label)}</text>`,
  ];
}

/** A colour swatch and a name per series, along the panel's bottom edge. */
function legend(p: Panel, { y, h, left }: Frame): string[] {
  return p.series.flatMap((s, i) => {
    const lx = left + i * 150;
    return [
      `<rect x="${lx}" y="${y + h - 22}" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${lx + 16}" y="${y + h - 12}" font-size="11">${esc(s.name)}</text>`,
    ];
  });
}

function panel(p: Panel, x: number, y: number, w: number, h: number): string {
  const frame = frameOf(p, x, y, w, h);
  return [...axes(p, frame), ...bars(p, frame), ...referenceLine(p, frame), ...legend(p, frame)].join("\n");
}

/** The four panels: cost 12 against the bcrypt limit, the goals, growth, requests without bcrypt. */
function chartPanels(results: EngineResults[]): Panel[] {
  const series = (values: (r: EngineResults) => number[], labels?: (r: EngineResults) => string[]): Series[] =>
    results.map((r) => ({
      name: NAMES[r.engine] ?? r.engine,
      color: COLORS[r.engine] ?? "#888",
      values: values(r),
      ...(labels && { labels: labels(r) }),
    }));
  const goalIds = evaluateGoals(results[0] as EngineResults).map((g) => g.id);
  const attainment = (r: EngineResults) =>
    evaluateGoals(r).map((g) => (g.atLeast ? g.value / g.bound : g.bound / g.value));
  return [
    {
      title: "Cost 12: throughput against the bcrypt limit",
      unit: "requests (hashes) per second",
      categories: ["bcrypt limit", "register @8", "register @32", "login @32"],
      series: series((r) => [median(r.limit12), rate(r.register12c8), rate(r.register12c32), rate(r.login12)]),
    },
    {
      title: "Goals: how far each is met",
      unit: "measured ÷ bound (≤-goals inverted); ≥ 1 is met",
      categories: goalIds,
      series: series(attainment, (r) => evaluateGoals(r).map((g) => (g.met ? "✓" : "✗"))),
      reference: { value: 1, label: "goal" },
      cap: 3,
    },
    {
      title: "Register p50 at cost 4 as users grow",
      unit: "milliseconds (8 connections)",
      categories: (results[0]?.growth ?? []).map((g) => `${fmt(g.users)} users`),
      series: series((r) => r.growth.map((g) => p50(g.runs))),
    },
    {
      title: "Without bcrypt: requests per second",
      unit: "requests per second (32 connections)",
      categories: ["register, cost 4", "duplicates, cost 12", "GET /me", "bare Express"],
      series: series((r) => [rate(r.register4), rate(r.duplicates12), rate(r.me), rate(r.bare)]),
    },
  ];
}

/** The chart for docs/BENCHMARKS.md. */
export function renderChart(results: EngineResults[]): string {
  const panels = chartPanels(results);
  const w = 480;
  const h = 320;
  const body = panels.map((p, i) => panel(p, (i % 2) * w, Math.floor(i / 2) * h, w, h)).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${2 * h}" viewBox="0 0 ${2 * w} ${2 * h}" font-family="sans-serif">
<title>Portico benchmarks: throughput against the bcrypt limit, goals, growth, requests without bcrypt</title>
<rect width="100%" height="100%" fill="#fff"/>
${body}
</svg>
`;
}
