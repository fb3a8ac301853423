/**
 * Accounts import benchmark (issue 5): a 100,000-row CSV, parsed by
 * shared/accounts/import.ts and by the stock way (papaparse with
 * `header: true` and `dynamicTyping`, then a map to accounts; for the
 * Indonesian file a regex per cell turns `1.250.000,50` into a number, since
 * dynamicTyping cannot).
 *
 * Each (parser, file) pair runs in a child process of its own, so its peak
 * RSS is its own: the figures are the first (cold) parse's time and the
 * peak RSS it added over the process with the file read, the retained heap
 * of the result after a GC, and the median of 5 warm parses.
 *
 * Then the same files end to end through our server
 * (lib/import-e2e.ts): POST /api/plans/:id/accounts to a plan of 100
 * territories over Java, time to the 201, the server's peak RSS, and the
 * time until the analysis covers the new accounts, beside a dry run.
 *
 * Standalone: `npx tsx tests/bench/import.ts` (BENCH_QUICK=1: 10,000 rows).
 * Reports only, asserts nothing (the README's Benchmarks table says met or missed).
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Papa from "papaparse";
import { parseAccountsCsv } from "../../shared/accounts/import.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import { mulberry32 } from "../../shared/scoring/synthetic.ts";
import { JAVA } from "./lib/geometry.ts";
import { type BenchResult, type Benchmark, fmt, fmtBytes, median, renderResult } from "./lib/report.ts";
import { E2E_RUNS, type E2eResult, e2eNotes, e2eRows, endToEnd } from "./lib/import-e2e.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WARM_RUNS = 5;

type Parser = "ours" | "papaparse";
type Style = "indonesian" | "english";

interface ChildResult {
  parser: Parser;
  style: Style;
  rows: number;
  bytes: number;
  accounts: number;
  coldMs: number;
  warmMs: number[];
  /** Peak RSS during the first parse minus RSS before it, bytes. */
  peakRssDelta: number;
  /** Peak RSS of the whole child, bytes. */
  peakRss: number;
  /** Heap still used by the parsed result after a full GC, bytes. */
  retainedHeap: number;
  /** A sampled account, to show both read the same values. */
  sample: Account;
}

/** `Kode;Nama Outlet;Lintang;Bujur;Omzet;Potensi;Kunjungan;Kota` with decimal commas, or the English `,` file. */
function generate(rows: number, style: Style): string {
  const rnd = mulberry32(5);
  const id = style === "indonesian";
  const out = [
    id
      ? "Kode;Nama Outlet;Lintang;Bujur;Omzet;Potensi;Kunjungan;Kota"
      : "id,name,lat,lon,revenue,potential,visits,city",
  ];
  const group = (n: number) => {
    const s = String(n);
    let r = "";
    for (let i = 0; i < s.length; i++) r += (i > 0 && (s.length - i) % 3 === 0 ? "." : "") + s[i];
    return r;
  };
  for (let i = 0; i < rows; i++) {
    // Over Java's box, which the end-to-end plan's territories tile: every account lies in one.
    const lat = (JAVA.south + (JAVA.north - JAVA.south) * rnd()).toFixed(6);
    const lon = (JAVA.west + (JAVA.east - JAVA.west) * rnd()).toFixed(6);
    const revenue = Math.round(Math.exp(12 + 2 * rnd()));
    const cents = Math.floor(rnd() * 100);
    const potential = revenue * 2;
    const visits = 1 + Math.floor(rnd() * 8);
    if (id) {
      out.push(
        `OUT-${i};"Toko ${i}; Cabang ${i % 7}";${lat.replace(".", ",")};${lon.replace(".", ",")};${group(revenue)},${String(cents).padStart(2, "0")};${group(potential)};${visits};Bandung`,
      );
    } else {
      out.push(
        `OUT-${i},Toko ${i} Cabang ${i % 7},${lat},${lon},${revenue}.${String(cents).padStart(2, "0")},${potential},${visits},Bandung`,
      );
    }
  }
  return `${out.join("\r\n")}\r\n`;
}

/** The stock way: papaparse's header mode and dynamic typing, then a map to accounts. */
function papaparseAccounts(text: string, style: Style): Account[] {
  const parsed = Papa.parse<Record<string, unknown>>(text, {
    header: true,
    dynamicTyping: style === "english",
    skipEmptyLines: true,
  });
  const num = (v: unknown) => (typeof v === "number" ? v : Number(String(v).replace(/\./g, "").replace(",", ".")));
  if (style === "english") {
    return parsed.data.map((r) => ({
      id: String(r.id),
      name: String(r.name),
      lon: r.lon as number,
      lat: r.lat as number,
      attrs: { revenue: r.revenue as number, potential: r.potential as number, visits: r.visits as number },
    }));
  }
  return parsed.data.map((r) => ({
    id: String(r.Kode),
    name: String(r["Nama Outlet"]),
    lon: num(r.Bujur),
    lat: num(r.Lintang),
    attrs: { revenue: num(r.Omzet), potential: num(r.Potensi), visits: num(r.Kunjungan) },
  }));
}

function parseWith(parser: Parser, text: string, style: Style): Account[] {
  if (parser === "ours") {
    const r = parseAccountsCsv(text);
    if (r.problemCount > 0)
      throw new Error(`our parser refused ${r.problemCount} rows: ${JSON.stringify(r.problems[0])}`);
    return r.accounts;
  }
  return papaparseAccounts(text, style);
}

/** In the child: read the file, parse it once cold (peak RSS, retained heap), then warm runs. */
async function child(parser: Parser, style: Style, file: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const text = await fs.readFile(file, "utf8");
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let accounts: Account[] | null = parseWith(parser, text, style);
  const coldMs = performance.now() - t0;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc();
  const retainedHeap = process.memoryUsage().heapUsed - heapBefore;
  const count = accounts.length;
  const sample = accounts[Math.floor(count / 2)] as Account;
  accounts = null;
  const warmMs: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    gc();
    const t = performance.now();
    parseWith(parser, text, style);
    warmMs.push(performance.now() - t);
  }
  const result: ChildResult = {
    parser,
    style,
    rows: count,
    bytes: Buffer.byteLength(text),
    accounts: count,
    coldMs,
    warmMs,
    peakRssDelta: peakRss - rssBefore,
    peakRss,
    retainedHeap,
    sample,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(parser: Parser, style: Style, file: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--expose-gc", "--import", "tsx", path.join(import.meta.dirname, "import.ts"), "--child", parser, style, file],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.stderr.on("data", (d) => {
      err += d;
    });
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`import bench child (${parser}, ${style}) exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split("\n").pop() as string) as ChildResult);
    });
  });
}

export const importBench: Benchmark = {
  name: "import",
  title: "Accounts import (CSV parse)",
  async run(ctx): Promise<BenchResult> {
    const rows = ctx.quick ? 10_000 : 100_000;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-import-bench-"));
    const results: ChildResult[] = [];
    let e2e: E2eResult;
    try {
      const files: { style: Style; path: string }[] = [];
      for (const style of ["indonesian", "english"] as const) {
        const file = path.join(dir, `${style}.csv`);
        await fs.writeFile(file, generate(rows, style));
        files.push({ style, path: file });
        for (const parser of ["ours", "papaparse"] as const) {
          ctx.log(`${parser} on the ${style} file (${rows.toLocaleString("en-US")} rows)`);
          results.push(await runChild(parser, style, file));
        }
      }
      ctx.log(`end to end through our server (${E2E_RUNS} rounds per file)`);
      e2e = await endToEnd(files, rows, ctx.log, ctx.profileDir);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    const label = (r: ChildResult) =>
      r.parser === "ours" ? "shared/accounts (ours)" : "papaparse header + dynamicTyping, then map";
    const fileLabel = (r: ChildResult) =>
      r.style === "indonesian" ? `Indonesian ; file, ${fmtBytes(r.bytes)}` : `English , file, ${fmtBytes(r.bytes)}`;
    const notes: string[] = [];
    for (const style of ["indonesian", "english"] as const) {
      const ours = results.find((r) => r.parser === "ours" && r.style === style);
      const stock = results.find((r) => r.parser === "papaparse" && r.style === style);
      if (ours && stock) {
        const same = JSON.stringify(ours.sample) === JSON.stringify(stock.sample);
        notes.push(
          `${style}: ours ${fmt(median(ours.warmMs) / median(stock.warmMs))}× the stock parse time (warm), ${fmt(
            ours.peakRssDelta / Math.max(1, stock.peakRssDelta),
          )}× its peak RSS growth; the sampled account is ${same ? "the same" : "different"} in both${
            same ? "" : ` (ours ${JSON.stringify(ours.sample)}, stock ${JSON.stringify(stock.sample)})`
          }.`,
        );
      }
    }
    notes.push(
      ...e2eNotes(e2e, (parser, style) => {
        const r = results.find((x) => x.parser === parser && x.style === style);
        return r ? median(r.warmMs) : Number.NaN;
      }),
    );
    notes.push(
      "Ours also detects the separator and each column's number convention, maps English and Indonesian headers, checks every row (line numbers, duplicates, ranges) and builds the preview; the stock way does none of that.",
    );
    return {
      name: "import",
      title: "Accounts import (CSV parse and end to end)",
      description: `A ${rows.toLocaleString("en-US")}-row accounts CSV (tests/bench/import.ts; standalone: \`npx tsx tests/bench/import.ts\`). Parse: each parser in a fresh child process; cold = the process's first parse (JIT not warm), warm = median of ${WARM_RUNS} more; peak RSS growth = peak RSS during the first parse minus RSS before it; retained heap = the result's heap after a full GC. End to end (tests/bench/lib/import-e2e.ts): our server (server/index.ts, lowdb store in a temp DATA_DIR with fdatasync, live scoring) in its own process, a plan of ${e2e.territories} territories (${e2e.vertices.toLocaleString("en-US")} vertices) tiling Java, every account inside one; the same file POSTed to /api/plans/:id/accounts (text/csv, edit token) in ${E2E_RUNS} rounds of a dry run then a real import (mode=replace); answer = POST sent → answer read; analysis ready = POST sent → GET /api/plans/:id/analysis (polled every 20 ms) answers with the import's accounts version; peak RSS = the server process's (scoring worker thread included), VmHWM reset before each POST.`,
      tables: [
        {
          title: `${rows.toLocaleString("en-US")} rows, parse only`,
          columns: ["file", "parser", "cold ms", "warm ms (median)", "peak RSS growth", "peak RSS", "retained heap"],
          rows: results.map((r) => [
            fileLabel(r),
            label(r),
            fmt(r.coldMs),
            fmt(median(r.warmMs)),
            fmtBytes(r.peakRssDelta),
            fmtBytes(r.peakRss),
            fmtBytes(r.retainedHeap),
          ]),
        },
        {
          title: `${rows.toLocaleString("en-US")} rows end to end through our server (${e2e.territories} territories; medians of ${E2E_RUNS})`,
          columns: [
            "file",
            "call",
            "answer ms",
            "each round ms",
            "analysis ready ms",
            "server peak RSS",
            "highest",
            "peak RSS growth",
          ],
          rows: e2eRows(e2e, (style, bytes) =>
            style === "indonesian" ? `Indonesian ; file, ${fmtBytes(bytes)}` : `English , file, ${fmtBytes(bytes)}`,
          ),
        },
      ],
      notes,
      data: { parse: results, endToEnd: e2e },
    };
  },
};

const direct = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (direct && process.argv[2] === "--child") {
  child(process.argv[3] as Parser, process.argv[4] as Style, process.argv[5] as string).catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  });
} else if (direct) {
  const quick = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
  importBench
    .run({ quick, profileDir: null, log: (m) => console.error(`  … ${m}`) })
    .then((r) => console.log(renderResult(r)));
}
