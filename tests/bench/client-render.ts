/**
 * Client: a plan of 500 territories / 100,000 vertices and 50,000 accounts
 * opened in headless Chromium. Time until the editor shows every territory
 * (and every account, when the client says so), then frame times while
 * panning the map by mouse drag (the README's quality bar: opens in ≤ 2 s and
 * pans smoothly). An empty plan and the same territories without accounts are
 * opened in the same rounds, so the territories' and the accounts' own
 * costs are the differences.
 *
 * Readiness hooks read from the client (client/map/MapView.svelte): the map
 * element `[data-testid="map"]` with `data-ready="true"` once it is drawn
 * (preferred) and/or `data-territory-count="<n>"`; until the client has
 * those, `data-loaded="true"` (document synced, which fills the map source
 * in the same task) followed by two animation frames. Accounts: a count in
 * `data-account-count` (on `[data-testid="accounts-layer"]` or on the map)
 * reaching 50,000; without such a count the accounts' GET is only seen to
 * finish, and the output says they were not confirmed drawn.
 *
 * BENCH_STATIC_DIR: serve another client build than dist/ (e.g. one built
 * into tests/bench/scratch/ while dist/ is someone else's). BENCH_POINTS=
 * webgl|canvas: force the accounts' points renderer (default: the client's
 * choice). A pan that takes over PAN_BUDGET_MS is cut short and flagged.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { type BenchAccounts, type ImportedAccounts, importAccounts } from "./lib/accounts.ts";
import type { FrameFigures } from "./lib/browser.ts";
import { assertMapUncovered, CHROMIUM_SETUP, findBrowser, frameFigures, returningUser } from "./lib/browser.ts";
import { JAVA, javaGrid } from "./lib/geometry.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, median, skipped } from "./lib/report.ts";
import type { CreatedPlan, RunningServer } from "./lib/servers.ts";
import { createPlan, postJson, ROOT, startOurServer, tempDir } from "./lib/servers.ts";

const COLS = 50;
const ROWS = 10;
const PER_SIDE = 50; // 4 × 50 = 200 vertices per territory
/** The quality bar's 50,000 accounts, clustered around 60 towns over the grid (all inside a territory). */
const ACCOUNTS: BenchAccounts = {
  count: 50_000,
  bbox: [JAVA.west, JAVA.south, JAVA.east, JAVA.north],
  towns: 60,
  seed: 5,
};
const READY_TIMEOUT_MS = 60_000;
/** How long after the territories the accounts may take to be drawn (or, without a count hook, fetched). */
const ACCOUNTS_TIMEOUT_MS = 30_000;
/** Longest a pan may take (4 drags normally take ~4–5 s); a slower map's pan is cut short and flagged, so the run stays within its time. */
const PAN_BUDGET_MS = 10_000;

/** The plans opened in each round: an empty plan (baseline), the territories without accounts, and the quality bar's plan. */
type PlanKind = "empty" | "territories" | "big";
const PLAN_KINDS: readonly PlanKind[] = ["empty", "territories", "big"];

/** What the page showed of the accounts. */
interface AccountsFigures {
  /** The client confirmed (data-account-count) drawing this many, or null without that hook. */
  drawnCount: number | null;
  /** Page-clock time the count reached the expected number, or null. */
  drawnAt: number | null;
  /** responseEnd of GET /api/plans/:id/accounts (page clock), or null if never seen. */
  fetchedAt: number | null;
  /** Renderer the map names (data-accounts: webgl / canvas), or null. */
  renderer: string | null;
  /** A sentence for the table. */
  status: string;
}

interface LoadFigures {
  plan: PlanKind;
  /** From navigation start, in the page's clock (ms). */
  responseEnd: number;
  domContentLoaded: number;
  /** The map says it holds every territory (data-territory-count / data-ready / data-loaded). */
  ready: number;
  /** Two animation frames after ready (and after the accounts were drawn, when the client says so): painted. */
  painted: number;
  /** Accounts (the big plan only). */
  accounts: AccountsFigures | null;
  /** What signalled readiness. */
  signal: string;
  /** Main-thread time spent until painted (Chrome's Performance metrics). */
  taskMs: number;
  scriptMs: number;
  heapMB: number;
  pan: PanFigures;
}

/** The pan's frames; `seconds` is the pan's wall-clock time. */
interface PanFigures extends FrameFigures {
  /** Share of the recorded time spent in those frames (0…1): how much of the pan was not smooth. */
  slowShare: number;
  /** The pan hit PAN_BUDGET_MS and stopped before its last drag (a map too slow to pan). */
  cutShort: boolean;
  /** Drags completed (of 2 quick, 4 full). */
  drags: number;
  longTasks: number;
}

async function postTerritories(
  server: RunningServer,
  plan: CreatedPlan,
): Promise<{ ms: number; bytes: number; vertices: number }> {
  const polys = javaGrid(COLS, ROWS, PER_SIDE);
  const features = polys.map((geometry, i) => ({
    type: "Feature",
    id: `t${i}`,
    geometry,
    properties: { name: `Territory ${i + 1}` },
  }));
  const body = JSON.stringify({ type: "FeatureCollection", features });
  const { status, text, ms } = await postJson(server, plan, "/territories", body);
  if (status !== 201) throw new Error(`POST territories: ${status} ${text.slice(0, 300)}`);
  const vertices = polys.reduce((s, p) => s + (p.coordinates[0]?.length ?? 0) - 1, 0);
  return { ms, bytes: Buffer.byteLength(body), vertices };
}

/** Waits for the client's readiness hook; returns the page-clock time it fired and what it was. */
async function waitReady(page: Page, expected: number): Promise<{ at: number; signal: string }> {
  const handle = await page.waitForFunction(
    (n) => {
      const el = document.querySelector('[data-testid="map"]');
      if (!el) return false;
      const count = el.getAttribute("data-territory-count");
      const ready = el.getAttribute("data-ready");
      const loaded = el.getAttribute("data-loaded");
      const enough = count === null || Number(count) >= n;
      if (ready !== null) {
        if (ready !== "true" || !enough) return false;
        return {
          at: performance.now(),
          signal: `data-ready=true${count === null ? "" : `, data-territory-count=${count}`}`,
        };
      }
      if (count !== null) {
        if (!enough || loaded === "false") return false;
        return { at: performance.now(), signal: `data-territory-count=${count}` };
      }
      if (loaded === "true") return { at: performance.now(), signal: "data-loaded=true (synced; not counted)" };
      return false;
    },
    expected,
    { timeout: READY_TIMEOUT_MS, polling: "raf" },
  );
  return (await handle.jsonValue()) as { at: number; signal: string };
}

interface AccountsProbe {
  at: number;
  /** data-account-count when the client exposes it. */
  count: number | null;
  renderer: string | null;
  fetchedAt: number | null;
}

/**
 * Waits until the client says it draws `expected` accounts (data-account-count
 * on `[data-testid="accounts-layer"]` or on the map), or, for a client
 * without that count, until the accounts' GET finished 2 s ago (time for a
 * count to appear after parsing). No inner named functions: see FRAME_RECORDER.
 */
async function waitAccounts(page: Page, expected: number): Promise<AccountsFigures> {
  const probe = () =>
    page.evaluate(() => {
      const map = document.querySelector('[data-testid="map"]');
      const layer = document.querySelector('[data-testid="accounts-layer"]');
      const raw = layer?.getAttribute("data-account-count") ?? map?.getAttribute("data-account-count") ?? null;
      const entry = performance
        .getEntriesByType("resource")
        .find((e) => /\/api\/plans\/[^/?]+\/accounts(\?|$)/.test(e.name));
      return {
        at: performance.now(),
        count: raw === null || raw === "" ? null : Number(raw),
        renderer:
          map?.getAttribute("data-accounts") ??
          map?.getAttribute("data-accounts-renderer") ??
          layer?.getAttribute("data-renderer") ??
          null,
        fetchedAt: entry ? (entry as PerformanceResourceTiming).responseEnd : null,
      } satisfies AccountsProbe;
    });
  const deadline = performance.now() + ACCOUNTS_TIMEOUT_MS;
  let last = await probe();
  for (;;) {
    if (last.count !== null && last.count >= expected) {
      return {
        drawnCount: last.count,
        drawnAt: last.at,
        fetchedAt: last.fetchedAt,
        renderer: last.renderer,
        status: `drawn: data-account-count=${last.count}${last.renderer ? ` (${last.renderer})` : ""}`,
      };
    }
    if (last.count === null && last.fetchedAt !== null && last.at - last.fetchedAt >= 2_000) {
      return {
        drawnCount: null,
        drawnAt: null,
        fetchedAt: last.fetchedAt,
        renderer: last.renderer,
        status: last.renderer
          ? `fetched; map names an accounts renderer (${last.renderer}) but exposes no data-account-count: drawing not confirmed`
          : "fetched; accounts not drawn by this client build (no accounts-layer / data-account-count)",
      };
    }
    if (performance.now() > deadline) {
      return {
        drawnCount: last.count,
        drawnAt: null,
        fetchedAt: last.fetchedAt,
        renderer: last.renderer,
        status:
          last.count !== null
            ? `**not all drawn**: data-account-count=${last.count} of ${expected} after ${ACCOUNTS_TIMEOUT_MS / 1000} s`
            : `**accounts never fetched** within ${ACCOUNTS_TIMEOUT_MS / 1000} s of the territories`,
      };
    }
    await page.waitForTimeout(last.count !== null ? 16 : 50);
    last = await probe();
  }
}

/**
 * Records requestAnimationFrame deltas and long tasks in the page. A string,
 * not a function: tsx (esbuild keepNames) would wrap a function's inner
 * closures in a `__name` helper that does not exist in the page.
 */
const FRAME_RECORDER = `(() => {
  const b = (window.__bench = { deltas: [], longTasks: [], running: true });
  let last = performance.now();
  function tick(t) {
    if (!b.running) return;
    b.deltas.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  }
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTasks.push(e.duration); })
      .observe({ type: "longtask" });
  } catch {}
})()`;

const STOP_RECORDER = `(() => { window.__bench.running = false; return { deltas: window.__bench.deltas, longTasks: window.__bench.longTasks }; })()`;

/** Drags the map with the mouse while the page records requestAnimationFrame deltas. */
async function pan(page: Page, quick: boolean): Promise<PanFigures> {
  const box = await page.locator('[data-testid="map"]').boundingBox();
  if (!box) throw new Error("the map element has no box");
  await page.evaluate(FRAME_RECORDER);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const drags = quick ? 2 : 4;
  const steps = 40;
  const t0 = performance.now();
  let done = 0;
  let cutShort = false;
  for (let d = 0; d < drags && !cutShort; d++) {
    // Back and forth, diagonally, 40% × 25% of the map each way; a move every ~10–20 ms (8 ms wait + the
    // round trip to the page), about as often as a hand's mouse reports.
    const dx = (d % 2 === 0 ? 1 : -1) * box.width * 0.4;
    const dy = (d % 2 === 0 ? 1 : -1) * box.height * 0.25;
    await page.mouse.move(cx - dx / 2, cy - dy / 2);
    await page.mouse.down();
    for (let i = 1; i <= steps; i++) {
      await page.mouse.move(cx - dx / 2 + (dx * i) / steps, cy - dy / 2 + (dy * i) / steps);
      await page.waitForTimeout(8);
      // A map that takes seconds per frame would hold the whole run for minutes: stop, and say so.
      if (performance.now() - t0 > PAN_BUDGET_MS) {
        cutShort = true;
        break;
      }
    }
    await page.mouse.up();
    await page.waitForTimeout(300); // kinetic pan settles
    if (!cutShort) done++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const rec = (await page.evaluate(STOP_RECORDER)) as { deltas: number[]; longTasks: number[] };
  const deltas = rec.deltas.slice(1);
  return {
    ...frameFigures(deltas, rec.longTasks),
    seconds,
    slowShare: deltas.filter((d) => d > 33).reduce((a, d) => a + d, 0) / (deltas.reduce((a, d) => a + d, 0) || 1),
    cutShort,
    drags: done,
    longTasks: rec.longTasks.length,
  };
}

async function oneLoad(
  browser: Browser,
  which: PlanKind,
  url: string,
  expected: number,
  expectedAccounts: number,
  quick: boolean,
): Promise<LoadFigures> {
  const context = await returningUser(browser);
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.goto(url, { waitUntil: "commit" });
    let ready: { at: number; signal: string };
    try {
      ready = await waitReady(page, expected);
    } catch (e) {
      const hasMap = (await page.locator('[data-testid="map"]').count()) > 0;
      throw new Error(
        `the editor never signalled that it shows ${expected} territories (${hasMap ? "found [data-testid=map] but none of data-territory-count ≥ n, data-ready=true, data-loaded=true" : "no [data-testid=map] element"}; page errors: ${errors.slice(0, 3).join(" | ") || "none"}): ${(e as Error).message.split("\n")[0]}`,
      );
    }
    const twoFrames = () =>
      page.evaluate(
        () =>
          new Promise<number>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))),
      );
    let painted = await twoFrames();
    let { metrics } = await cdp.send("Performance.getMetrics");
    let accounts: AccountsFigures | null = null;
    if (expectedAccounts > 0) {
      accounts = await waitAccounts(page, expectedAccounts);
      // Opened = the territories and the accounts painted, when the client confirms it draws the accounts.
      if (accounts.drawnAt !== null) {
        painted = await twoFrames();
        ({ metrics } = await cdp.send("Performance.getMetrics"));
      }
    }
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      return { responseEnd: n?.responseEnd ?? Number.NaN, domContentLoaded: n?.domContentLoadedEventEnd ?? Number.NaN };
    });
    await page.waitForTimeout(500); // let the first-load work settle before panning
    await assertMapUncovered(page);
    const panFigures = await pan(page, quick);
    if (errors.length) throw new Error(`the page threw: ${errors.slice(0, 3).join(" | ")}`);
    return {
      plan: which,
      ...nav,
      ready: ready.at,
      painted,
      accounts,
      signal: ready.signal,
      taskMs: metric("TaskDuration") * 1000,
      scriptMs: metric("ScriptDuration") * 1000,
      heapMB: metric("JSHeapUsedSize") / 1e6,
      pan: panFigures,
    };
  } finally {
    await context.close();
  }
}

const PLAN_LABEL: Record<PlanKind, string> = {
  empty: "empty plan (baseline)",
  territories: `${COLS * ROWS} territories, no accounts`,
  big: `${COLS * ROWS} territories + ${ACCOUNTS.count.toLocaleString("en-US")} accounts`,
};

/**
 * BENCH_POINTS=webgl|canvas forces the client's points renderer for the
 * accounts (its `?points=` parameter); unset, the client picks (WebGL with a
 * hardware GL context, canvas otherwise).
 */
function forcedPoints(): "webgl" | "canvas" | null {
  const v = process.env.BENCH_POINTS ?? "";
  if (v === "") return null;
  if (v === "webgl" || v === "canvas") return v;
  throw new Error(`BENCH_POINTS must be webgl or canvas, not "${v}"`);
}

/** The page for a plan, with the points renderer forced when BENCH_POINTS says so. */
function pageUrl(plan: CreatedPlan, which: PlanKind): string {
  const points = forcedPoints();
  if (which !== "big" || !points) return plan.editUrl;
  const u = new URL(plan.editUrl);
  u.searchParams.set("points", points);
  return u.toString();
}

async function run(ctx: BenchContext): Promise<BenchResult> {
  const base = {
    name: "client",
    title: `Client: open and pan a ${COLS * ROWS}-territory plan with ${ACCOUNTS.count.toLocaleString("en-US")} accounts`,
    description: `Headless Chromium (${CHROMIUM_SETUP}) opens the editor page /plan/<id> of a plan with ${COLS * ROWS} territories of ${PER_SIDE * 4} vertices tiling Java edge to edge (created with one REST POST) and ${ACCOUNTS.count.toLocaleString("en-US")} seeded accounts spread over them (clustered around ${ACCOUNTS.towns} towns; one CSV POST /api/plans/:id/accounts) as a returning user, waits for the map's readiness hook, for the accounts when the client reports drawing them, and two animation frames ("painted"), then drags the map with the mouse while recording requestAnimationFrame deltas. An empty plan and the same territories without accounts are opened in the same rounds as baselines. A pan is cut short (and flagged) after ${PAN_BUDGET_MS / 1000} s. Times from navigation start, in ms.`,
  };
  const found = await findBrowser("client");
  if (found.missing !== undefined) return skipped(base, found.missing);
  const { staticDir, launch } = found;

  const dataDir = await tempDir("client");
  const server = await startOurServer({
    dataDir,
    env: { STATIC_DIR: staticDir, ROOM_IDLE_MS: "60000" },
    profileDir: ctx.profileDir,
  });
  let browser: Browser | null = null;
  try {
    const empty = await createPlan(server, "Client render bench (empty)");
    const territories = await createPlan(server, "Client render bench (no accounts)");
    const big = await createPlan(server, "Client render bench");
    const plans: Record<PlanKind, CreatedPlan> = { empty, territories, big };
    const posted = await postTerritories(server, plans.big);
    await postTerritories(server, plans.territories);
    ctx.log(
      `posted ${COLS * ROWS} territories (${posted.vertices} vertices, ${(posted.bytes / 1e6).toFixed(1)} MB) in ${fmt(posted.ms)} ms`,
    );
    const imported: ImportedAccounts = await importAccounts(server, plans.big, ACCOUNTS);
    ctx.log(
      `imported ${imported.count} accounts (${(imported.bytes / 1e6).toFixed(1)} MB CSV) in ${fmt(imported.ms)} ms`,
    );
    browser = await launch();
    const loads: (LoadFigures & { round: number })[] = [];
    const rounds = ctx.quick ? 1 : 3;
    for (let round = 1; round <= rounds; round++) {
      for (const which of PLAN_KINDS) {
        const f = await oneLoad(
          browser,
          which,
          pageUrl(plans[which], which),
          which === "empty" ? 0 : COLS * ROWS,
          which === "big" ? ACCOUNTS.count : 0,
          ctx.quick,
        );
        ctx.log(
          `client ${which} #${round}: ready ${fmt(f.ready)} ms, painted ${fmt(f.painted)} ms, main thread ${fmt(f.taskMs)} ms; pan median ${fmt(f.pan.medianMs)} ms, p95 ${fmt(f.pan.p95Ms)} ms, dropped ${f.pan.dropped}/${f.pan.frames} (${fmt(100 * f.pan.slowShare, 0)}% of the time)${f.pan.cutShort ? `, cut short after ${f.pan.drags} drag(s)` : ""}${f.accounts ? `; accounts ${f.accounts.status}` : ""}`,
        );
        loads.push({ ...f, round });
      }
    }
    const of = (which: PlanKind) => loads.filter((f) => f.plan === which);
    const accountsCell = (ls: LoadFigures[]) => {
      const as = ls.flatMap((f) => (f.accounts ? [f.accounts] : []));
      if (as.length === 0) return "–";
      const renderer = as.find((a) => a.renderer)?.renderer;
      const drawnHere = as.filter((a) => a.drawnAt !== null);
      if (drawnHere.length === as.length)
        return `drawn after ${fmt(median(drawnHere.map((a) => a.drawnAt as number)))}${renderer ? ` (${renderer})` : ""}`;
      return `not confirmed drawn${renderer ? ` (renderer ${renderer})` : ""}; GET done after ${fmt(
        median(as.map((a) => a.fetchedAt ?? Number.NaN)),
      )}`;
    };
    const summaryRow = (which: PlanKind) => {
      const ls = of(which);
      const m = (pick: (f: LoadFigures) => number) => median(ls.map(pick));
      return [
        PLAN_LABEL[which],
        fmt(m((f) => f.domContentLoaded)),
        fmt(m((f) => f.ready)),
        fmt(m((f) => f.painted)),
        fmt(m((f) => f.taskMs)),
        fmt(m((f) => f.scriptMs)),
        fmt(
          m((f) => f.heapMB),
          0,
        ),
        fmt(m((f) => f.pan.medianMs)),
        fmt(m((f) => f.pan.p95Ms)),
        `${fmt(
          m((f) => f.pan.dropped),
          0,
        )} of ${fmt(
          m((f) => f.pan.frames),
          0,
        )}`,
        `${fmt(
          m((f) => 100 * f.pan.slowShare),
          0,
        )}%${ls.some((f) => f.pan.cutShort) ? ` (cut short at ${PAN_BUDGET_MS / 1000} s in ${ls.filter((f) => f.pan.cutShort).length} of ${ls.length})` : ""}`,
        accountsCell(ls),
      ];
    };
    const med = (which: PlanKind, pick: (f: LoadFigures) => number) => median(of(which).map(pick));
    /** What the loads of one accounts variant showed, in a sentence. */
    const accountsSentence = (which: PlanKind) => {
      const as = of(which).flatMap((f) => (f.accounts ? [f.accounts] : []));
      const drawn = as.filter((a) => a.drawnAt !== null);
      const fetched = as.map((a) => a.fetchedAt).filter((v): v is number => v !== null);
      if (as.length > 0 && drawn.length === as.length)
        return `all ${ACCOUNTS.count.toLocaleString("en-US")} drawn (data-account-count${drawn[0]?.renderer ? `, ${drawn[0].renderer}` : ""}) after ${fmt(median(drawn.map((a) => a.drawnAt as number)))} ms, and "painted" includes them`;
      if (drawn.length > 0)
        return `confirmed drawn in ${drawn.length} of ${as.length} loads only (${as.map((a) => a.status).join("; ")}); "painted" includes them where drawn`;
      return `accounts not drawn by this client build, as far as the page tells (${as[0]?.status ?? "no load"}); "painted" is the territories only${fetched.length ? `; the page's GET of the accounts finished after ${fmt(median(fetched))} ms` : ""}`;
    };
    const allDrawn = (which: PlanKind) => {
      const as = of(which).flatMap((f) => (f.accounts ? [f.accounts] : []));
      return as.length > 0 && as.every((a) => a.drawnAt !== null);
    };
    const openSentence = (which: PlanKind) => {
      const p = med(which, (f) => f.painted);
      return `${PLAN_LABEL[which]}: painted after ${fmt(p)} ms, ${p <= 2000 ? "met" : "**missed**"}${allDrawn(which) ? "" : " (territories only: the accounts are not confirmed drawn, so the bar is not measured in full)"}`;
    };
    const panSentence = (which: PlanKind) => {
      const ls = of(which);
      const cut = ls.filter((f) => f.pan.cutShort).length;
      return `${PLAN_LABEL[which]}: ${fmt(
        med(which, (f) => f.pan.dropped),
        0,
      )} of ${fmt(
        med(which, (f) => f.pan.frames),
        0,
      )} frames over 33 ms, ${fmt(
        med(which, (f) => 100 * f.pan.slowShare),
        0,
      )}% of the time, frame p95 ${fmt(med(which, (f) => f.pan.p95Ms))} ms${cut ? `; cut short at ${PAN_BUDGET_MS / 1000} s in ${cut} of ${ls.length} loads` : ""}`;
    };
    const renderer = of("big").find((f) => f.accounts?.renderer)?.accounts?.renderer ?? null;
    return {
      ...base,
      tables: [
        {
          title: "Summary (medians over rounds; ms)",
          columns: [
            "plan",
            "DOMContentLoaded",
            "ready",
            "painted",
            "main-thread busy until painted",
            "of which script",
            "JS heap MB",
            "pan frame median",
            "pan frame p95",
            "dropped frames (> 33 ms)",
            "pan time in dropped frames",
            "accounts",
          ],
          rows: PLAN_KINDS.map(summaryRow),
        },
        {
          title: "Every page load",
          columns: [
            "round",
            "plan",
            "ready",
            "painted",
            "busy",
            "frames",
            "median",
            "p95",
            "max",
            "dropped",
            "long tasks (total ms)",
            "pan",
            "readiness signal",
            "accounts",
          ],
          rows: loads.map((f) => [
            f.round,
            f.plan,
            fmt(f.ready),
            fmt(f.painted),
            fmt(f.taskMs),
            f.pan.frames,
            fmt(f.pan.medianMs),
            fmt(f.pan.p95Ms),
            fmt(f.pan.maxMs),
            f.pan.dropped,
            `${f.pan.longTasks} (${fmt(f.pan.longTaskMs, 0)})`,
            `${fmt(f.pan.seconds, 1)} s, ${f.pan.drags} drag(s)${f.pan.cutShort ? ", cut short" : ""}`,
            f.signal,
            f.accounts ? f.accounts.status : "–",
          ]),
        },
      ],
      notes: [
        `Target, opens in ≤ 2 s: ${openSentence("big")}. For comparison, the territories without accounts ${fmt(med("territories", (f) => f.painted))} ms, the empty plan ${fmt(med("empty", (f) => f.painted))} ms.`,
        `Accounts (points renderer ${renderer ?? "not named by the page"}${forcedPoints() ? `, forced with BENCH_POINTS=${forcedPoints()}` : ", the client's own choice"}): ${accountsSentence("big")}.`,
        `Panning (${ctx.quick ? 2 : 4} drags): ${PLAN_KINDS.map(panSentence).join("; ")}.`,
        `Creating the plan: one POST of ${(posted.bytes / 1e6).toFixed(1)} MB GeoJSON took ${fmt(posted.ms)} ms on the server (validation, one transaction, fdatasync); the accounts, one POST of ${(imported.bytes / 1e6).toFixed(1)} MB CSV, ${fmt(imported.ms)} ms. The server scores the plan live (its default), so the page also receives the analysis.`,
        `Software rendering (--disable-gpu) on a 2-core machine shared with the server; a desktop GPU browser will do better.${renderer === "webgl" ? " The accounts were drawn with WebGL, which headless Chromium here gets from SwiftShader (software GL): a worst case no desktop with a GPU sees." : ""}`,
        `Readiness prefers data-ready=true on the map, then data-territory-count, then data-loaded; accounts count as drawn only when data-account-count (on [data-testid=accounts-layer] or the map) reaches ${ACCOUNTS.count.toLocaleString("en-US")}. Client build served: ${path.relative(ROOT, staticDir) || staticDir}/.`,
      ],
      data: { posted, accounts: { ...ACCOUNTS, imported }, loads },
    };
  } finally {
    await browser?.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

export const clientRender: Benchmark = { name: "client", title: "Client render", run };
