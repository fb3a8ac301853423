/**
 * The accounts import end to end (issue 5, "100,000 rows import in a few
 * seconds"): our real server (server/index.ts, lowdb store, live scoring) in
 * its own process, a plan of 100 territories tiling Java, and the CSV POSTed
 * to `/api/plans/:id/accounts` as the Data menu and a CRM job send it.
 *
 * Per import: time to the answer (201, or 200 for a dry run), the server
 * process's peak RSS meanwhile (its VmHWM, reset before each import through
 * /proc/<pid>/clear_refs, and VmRSS sampled every 20 ms as a cross-check;
 * the scoring worker is a thread of that process, so it is included), and,
 * for a real import, the time until `GET /api/plans/:id/analysis` answers
 * with the import's accounts version (the scoring reloaded the accounts and
 * recomputed every territory). A dry run (`?dryRun=true`: read, parse,
 * check, preview; nothing stored) runs in the same rounds as the server-side
 * baseline. Used by tests/bench/import.ts.
 */
import fs from "node:fs/promises";
import { fmt, fmtBytes, median } from "./report.ts";
import { javaGrid } from "./geometry.ts";
import { api, type CreatedPlan, createPlan, type RunningServer, startOurServer, tempDir } from "./servers.ts";

export const E2E_RUNS = 3;
/** 20 × 5 = 100 territories of 4 × 25 = 100 vertices tiling Java edge to edge. */
export const E2E_GRID = { cols: 20, rows: 5, perSide: 25 } as const;
const SAMPLE_MS = 20;
const POLL_MS = 20;
const READY_TIMEOUT_MS = 120_000;

export type E2eStyle = "indonesian" | "english";

export interface E2eRun {
  style: E2eStyle;
  kind: "dry-run" | "import";
  round: number;
  bytes: number;
  status: number;
  /** POST sent → answer received, ms. */
  answerMs: number;
  /** POST sent → the first analysis with the import's accounts version, ms (real imports). */
  readyMs: number | null;
  /** Analysis polls it took (each a GET /api/plans/:id/analysis). */
  polls: number;
  version: number | null;
  imported: number | null;
  /** totals.accounts / totals.unassigned of the ready analysis. */
  analysisAccounts: number | null;
  analysisUnassigned: number | null;
  /** The worker's compute time in the ready analysis, ms. */
  computeMs: number | null;
  /** Server RSS just before the POST, bytes. */
  rssBefore: number;
  /** Highest VmRSS sampled every 20 ms from the POST to the answer (dry run) or to the ready analysis. */
  sampledPeakRss: number;
  /** VmHWM at the end, after a reset just before the POST (null when /proc/<pid>/clear_refs refused). */
  hwm: number | null;
  samples: number;
}

export interface E2eResult {
  rows: number;
  territories: number;
  vertices: number;
  /** Server RSS with the plan loaded, before any import, bytes. */
  idleRss: number;
  hwmResettable: boolean;
  runs: E2eRun[];
}

interface ProcStatus {
  rss: number;
  hwm: number;
}

async function procStatus(pid: number): Promise<ProcStatus | null> {
  try {
    const text = await fs.readFile(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
      return m ? Number(m[1]) * 1024 : Number.NaN;
    };
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return null;
  }
}

/** Resets the process's VmHWM to its current RSS (Linux ≥ 4.0; our own child, so allowed). */
async function resetHwm(pid: number): Promise<boolean> {
  try {
    await fs.writeFile(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Samples the server's VmRSS every SAMPLE_MS until stopped. */
function rssSampler(pid: number) {
  let peak = 0;
  let samples = 0;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    const s = await procStatus(pid);
    busy = false;
    if (s && Number.isFinite(s.rss)) {
      peak = Math.max(peak, s.rss);
      samples++;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), SAMPLE_MS);
  return {
    async stop(): Promise<{ peak: number; samples: number; hwm: number }> {
      clearInterval(timer);
      const s = await procStatus(pid);
      if (s && Number.isFinite(s.rss)) peak = Math.max(peak, s.rss);
      return { peak, samples, hwm: s?.hwm ?? Number.NaN };
    },
  };
}

async function postTerritories(server: RunningServer, plan: CreatedPlan): Promise<number> {
  const polys = javaGrid(E2E_GRID.cols, E2E_GRID.rows, E2E_GRID.perSide);
  const features = polys.map((geometry, i) => ({
    type: "Feature",
    id: `t${i}`,
    geometry,
    properties: { name: `Wilayah ${i + 1}` },
  }));
  const res = await api(server, plan, `/api/plans/${plan.id}/territories`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "FeatureCollection", features }),
  });
  if (res.status !== 201) throw new Error(`POST territories: ${res.status} ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
  return polys.reduce((s, p) => s + (p.coordinates[0]?.length ?? 0) - 1, 0);
}

interface AnalysisBody {
  accountsVersion: number;
  computeMs: number;
  totals: { territories: number; accounts: number; unassigned: number };
}

async function analysis(server: RunningServer, plan: CreatedPlan): Promise<AnalysisBody> {
  const res = await api(server, plan, `/api/plans/${plan.id}/analysis`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET analysis: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as AnalysisBody;
}

async function oneImport(
  server: RunningServer,
  plan: CreatedPlan,
  style: E2eStyle,
  body: Uint8Array<ArrayBuffer>,
  kind: E2eRun["kind"],
  round: number,
  rows: number,
  hwmResettable: boolean,
): Promise<E2eRun> {
  const before = await procStatus(server.pid);
  if (hwmResettable) await resetHwm(server.pid);
  const sampler = rssSampler(server.pid);
  const query = kind === "dry-run" ? "?dryRun=true" : "?mode=replace";
  const t0 = performance.now();
  const res = await api(server, plan, `/api/plans/${plan.id}/accounts${query}`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body,
  });
  const text = await res.text();
  const answerMs = performance.now() - t0;
  const expected = kind === "dry-run" ? 200 : 201;
  if (res.status !== expected) {
    await sampler.stop();
    throw new Error(`POST accounts (${kind}, ${style}): ${res.status} ${text.slice(0, 300)}`);
  }
  const answer = JSON.parse(text) as { version?: number; imported?: number; valid?: number; problemCount?: number };
  let readyMs: number | null = null;
  let polls = 0;
  let ready: AnalysisBody | null = null;
  if (kind === "import") {
    if (answer.imported !== rows) throw new Error(`POST accounts (${style}) imported ${answer.imported} of ${rows}`);
    const version = answer.version as number;
    const deadline = t0 + READY_TIMEOUT_MS;
    for (;;) {
      polls++;
      const a = await analysis(server, plan);
      if (a.accountsVersion >= version) {
        readyMs = performance.now() - t0;
        ready = a;
        break;
      }
      if (performance.now() > deadline)
        throw new Error(`the analysis did not reach accounts version ${version} within ${READY_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } else if (answer.valid !== rows) {
    throw new Error(`dry run (${style}) found ${answer.valid} valid of ${rows} (${answer.problemCount} problems)`);
  }
  const peak = await sampler.stop();
  return {
    style,
    kind,
    round,
    bytes: body.byteLength,
    status: res.status,
    answerMs,
    readyMs,
    polls,
    version: answer.version ?? null,
    imported: answer.imported ?? null,
    analysisAccounts: ready?.totals.accounts ?? null,
    analysisUnassigned: ready?.totals.unassigned ?? null,
    computeMs: ready?.computeMs ?? null,
    rssBefore: before?.rss ?? Number.NaN,
    sampledPeakRss: peak.peak,
    hwm: hwmResettable ? peak.hwm : null,
    samples: peak.samples,
  };
}

/**
 * Starts our server, creates the plan with its territories, then for each
 * file E2E_RUNS rounds of (dry run, real import with mode=replace).
 */
export async function endToEnd(
  files: { style: E2eStyle; path: string }[],
  rows: number,
  log: (m: string) => void,
  profileDir: string | null,
): Promise<E2eResult> {
  const dataDir = await tempDir("import");
  // A manager's session keeps the plan loaded; without one the room would unload between imports.
  const server = await startOurServer({ dataDir, env: { ROOM_IDLE_MS: "600000" }, profileDir });
  try {
    const plan = await createPlan(server, "Import bench");
    const vertices = await postTerritories(server, plan);
    const first = await analysis(server, plan);
    if (first.totals.territories !== E2E_GRID.cols * E2E_GRID.rows)
      throw new Error(`the plan has ${first.totals.territories} territories`);
    const idle = await procStatus(server.pid);
    const hwmResettable = await resetHwm(server.pid);
    log(
      `server pid ${server.pid}: plan with ${first.totals.territories} territories (${vertices} vertices), RSS ${fmtBytes(idle?.rss ?? Number.NaN)}; VmHWM ${hwmResettable ? "resettable" : "not resettable, sampling only"}`,
    );
    const runs: E2eRun[] = [];
    for (const f of files) {
      const body = new Uint8Array(await fs.readFile(f.path));
      for (let round = 1; round <= E2E_RUNS; round++) {
        for (const kind of ["dry-run", "import"] as const) {
          const r = await oneImport(server, plan, f.style, body, kind, round, rows, hwmResettable);
          runs.push(r);
          log(
            `e2e ${f.style} ${kind} #${round}: answer ${fmt(r.answerMs)} ms${r.readyMs === null ? "" : `, analysis ready ${fmt(r.readyMs)} ms (${r.polls} polls, ${r.analysisAccounts} accounts, ${r.analysisUnassigned} unassigned, compute ${fmt(r.computeMs ?? Number.NaN)} ms)`}; RSS ${fmtBytes(r.rssBefore)} → peak ${fmtBytes(peakOf(r))} (VmHWM ${fmtBytes(r.hwm ?? Number.NaN)}, sampled ${fmtBytes(r.sampledPeakRss)}, ${r.samples} samples)`,
          );
        }
      }
    }
    return {
      rows,
      territories: first.totals.territories,
      vertices,
      idleRss: idle?.rss ?? Number.NaN,
      hwmResettable,
      runs,
    };
  } finally {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const peakOf = (r: E2eRun) => Math.max(r.hwm ?? 0, r.sampledPeakRss);

/** Rows of the end-to-end table: one per file and kind, medians over the rounds. */
export function e2eRows(e: E2eResult, fileLabel: (style: E2eStyle, bytes: number) => string): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const style of ["indonesian", "english"] as const) {
    for (const kind of ["import", "dry-run"] as const) {
      const rs = e.runs.filter((r) => r.style === style && r.kind === kind);
      if (!rs.length) continue;
      const ready = rs.map((r) => r.readyMs).filter((v): v is number => v !== null);
      out.push([
        fileLabel(style, rs[0]?.bytes ?? 0),
        kind === "import" ? "POST, mode=replace (201)" : "POST ?dryRun=true (200, stores nothing)",
        fmt(median(rs.map((r) => r.answerMs))),
        rs.map((r) => fmt(r.answerMs)).join(" / "),
        ready.length ? fmt(median(ready)) : "–",
        fmtBytes(median(rs.map(peakOf))),
        fmtBytes(Math.max(...rs.map(peakOf))),
        fmtBytes(median(rs.map((r) => peakOf(r) - r.rssBefore))),
      ]);
    }
  }
  return out;
}

/** Sentences comparing the end-to-end figures with the parse-only ones of the same run. */
export function e2eNotes(
  e: E2eResult,
  parseWarmMs: (parser: "ours" | "papaparse", style: E2eStyle) => number,
): string[] {
  const notes: string[] = [];
  for (const style of ["indonesian", "english"] as const) {
    const imports = e.runs.filter((r) => r.style === style && r.kind === "import");
    const dry = e.runs.filter((r) => r.style === style && r.kind === "dry-run");
    if (!imports.length) continue;
    const answer = median(imports.map((r) => r.answerMs));
    const ready = median(imports.map((r) => r.readyMs ?? Number.NaN));
    const dryMs = median(dry.map((r) => r.answerMs));
    const ours = parseWarmMs("ours", style);
    const stock = parseWarmMs("papaparse", style);
    const last = imports[imports.length - 1] as E2eRun;
    notes.push(
      `${style}, end to end: the 201 after ${fmt(answer)} ms = ${fmt(answer / ours)}× our warm parse alone (${fmt(ours)} ms) and ${fmt(answer / stock)}× the stock parse (${fmt(stock)} ms); the dry run (read, parse, check, preview, nothing stored) ${fmt(dryMs)} ms, so storing and bumping the version adds ${fmt(answer - dryMs)} ms; the analysis covers the new accounts ${fmt(ready)} ms after the POST (${fmt(ready / ours)}× the parse; worker compute ${fmt(last.computeMs ?? Number.NaN)} ms, ${last.analysisAccounts?.toLocaleString("en-US")} accounts, ${last.analysisUnassigned} unassigned). ${answer <= 5000 && ready <= 5000 ? "Within" : "**Not** within"} "a few seconds" (read as ≤ 5 s).`,
    );
  }
  const all = e.runs;
  const gap = Math.max(...all.map((r) => (r.hwm === null ? 0 : Math.abs(r.hwm - r.sampledPeakRss))));
  const importPeaks = all
    .filter((r) => r.kind === "import")
    .map((r) => fmtBytes(peakOf(r)))
    .join(", ");
  const how = e.hwmResettable
    ? `Peak = the higher of the server's VmHWM (reset through /proc/<pid>/clear_refs just before each POST, read once the answer, or for an import the ready analysis, was in) and its VmRSS sampled every ${SAMPLE_MS} ms; the two differed by at most ${fmtBytes(gap)} (VmHWM lags a little: the kernel syncs per-thread RSS counters lazily), both per import in results.json.`
    : `Peak = the highest VmRSS sampled every ${SAMPLE_MS} ms (VmHWM could not be reset here).`;
  if (all.length) {
    notes.push(
      `Server memory: ${fmtBytes(e.idleRss)} RSS with the plan loaded before any import; peak during an import ${fmtBytes(Math.max(...all.filter((r) => r.kind === "import").map(peakOf)))} (the highest of ${all.filter((r) => r.kind === "import").length} imports), during a dry run ${fmtBytes(Math.max(...all.filter((r) => r.kind === "dry-run").map(peakOf)))}. ${how} Peak growth = peak minus the RSS just before that POST; it includes the upload, the parse, the stored JSON, the scoring worker's reload and the garbage not yet collected. In call order the imports peaked at ${importPeaks}, and the RSS just before a call ranged over ${fmtBytes(Math.min(...all.map((r) => r.rssBefore)))}–${fmtBytes(Math.max(...all.map((r) => r.rssBefore)))}: RSS does not fall back to the idle level between calls (V8 keeps a grown heap and collects when it sees fit), so back-to-back imports can peak higher than the first (the "highest" column).`,
    );
  }
  return notes;
}
