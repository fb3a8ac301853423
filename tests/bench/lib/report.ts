/**
 * What every benchmark hands back to run.ts, and the small statistics and
 * markdown helpers they share. No timing assertions anywhere: benchmarks
 * report, tests assert behaviour (the README's Benchmarks table says met
 * or missed).
 */

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface BenchResult {
  /** Short name used by BENCH_ONLY (sync, throughput, storage, client). */
  name: string;
  title: string;
  /** What was measured and how, in a sentence or two, printed above the tables. */
  description: string;
  tables: Table[];
  /** Observations worth reading with the figures (verdicts, caveats). */
  notes: string[];
  /** Raw figures for results.json. */
  data: unknown;
  /** Set when the benchmark could not run here (e.g. no built client). */
  skipped?: string;
  /** Markdown a benchmark rendered itself (scoring.ts), printed after the tables. */
  markdown?: string;
}

export interface BenchContext {
  quick: boolean;
  /** Run our server under `node --cpu-prof`, profiles into this folder. */
  profileDir: string | null;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<BenchResult>;
}

/** Linear-interpolated percentile of an already sorted array (p in 0…100). */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (sorted.length === 1) return sorted[0] as number;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function percentile(values: readonly number[], p: number): number {
  return percentileSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : Number.NaN;
}

/** Formats a number for a table: 3 significant digits below 100, integers above. */
export function fmt(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  return v.toFixed(digits);
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function markdownTable(t: Table): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, "\\|");
  const lines = [`| ${t.columns.map(cell).join(" | ")} |`, `| ${t.columns.map(() => "---").join(" | ")} |`];
  for (const row of t.rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return lines.join("\n");
}

/** A benchmark's result when it could not run (said on stderr too). */
export function skipped(base: Omit<BenchResult, "tables" | "notes" | "data">, why: string): BenchResult {
  console.error(`  ⚠ ${base.name} benchmark skipped: ${why}`);
  return { ...base, tables: [], notes: [], data: null, skipped: why };
}

export function renderResult(r: BenchResult): string {
  const out = [`## ${r.title}`, "", r.description, ""];
  if (r.skipped) {
    out.push(`**Skipped:** ${r.skipped}`, "");
    return out.join("\n");
  }
  for (const t of r.tables) out.push(`### ${t.title}`, "", markdownTable(t), "");
  if (r.markdown) out.push(r.markdown.trim(), "");
  if (r.notes.length) {
    for (const n of r.notes) out.push(`- ${n}`);
    out.push("");
  }
  return out.join("\n");
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 10,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
