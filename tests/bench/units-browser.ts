/**
 * Units in the browser (issue 12's browser bar): "the plan opens in the
 * browser (units drawn, coloured, bordered) in ≤ 2 s with panning and
 * painting smooth (frame median ≤ 17 ms)", for Java at H3 resolution 7
 * (about 27,000 land units) with 50,000 accounts.
 *
 * The plan is made over REST as units.ts makes it (Java's ten demo
 * territories, 50,000 demo accounts, `POST …/units` resolution 7) on our
 * real server, which also serves the client build; headless Chromium (the
 * e2e tests' flags) then, in each round:
 *
 * 1. opens the edit link as a returning user and times navigation → the map
 *    says it is drawn with its units (`data-ready="true"` and
 *    `data-unit-count` > 0 on `[data-testid="map"]`) → two animation frames
 *    ("painted");
 * 2. fits the view to West Java (all of it in view) and pans east across
 *    Java with the mouse for about 3 s (four drags, each released, as a hand
 *    pans), recording requestAnimationFrame deltas;
 * 3. selects Jabodetabek by clicking it, presses "p" (Paint) and drags one
 *    long stroke across Bandung Raya's units next to it, recording frames
 *    during the drag and for a second after the release (the stroke
 *    committed, the units redrawn, the analysis back); the stroke is then
 *    undone over REST (`PATCH …/units`) so every round paints the same.
 *
 * The same three steps run on the stock way in the same rounds: a small page
 * (tests/bench/naive-units/, built with Vite here) showing the plan's units
 * as GeoJSON features in one OpenLayers VectorLayer with a style function,
 * painting by setting each feature's territory under the pointer.
 *
 * UNITS_BROWSER_BEFORE=<dir>: another client build (e.g. of the commit before a change) opened as
 * a third page in the same rounds, its files served in place of the server's.
 *
 * BENCH_PROFILE=1: the page's CPU profile of each phase (open, pan, paint)
 * of the first round goes to tests/bench/profiles/ (Chrome's format, which
 * lib/profile-summary.ts reads). BENCH_STATIC_DIR: the client build served
 * (default dist/; build one unminified to read profiles). Reports only,
 * asserts nothing (tests/README.md and the README's "Benchmarks").
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import type { FrameFigures } from "./lib/browser.ts";
import { assertMapUncovered, CHROMIUM_SETUP, findBrowser, frameFigures, returningUser } from "./lib/browser.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, median, skipped } from "./lib/report.ts";
import type { CreatedPlan, RunningServer } from "./lib/servers.ts";
import { api, createPlan, postJson, ROOT, startOurServer, tempDir } from "./lib/servers.ts";
import { inputs, postTerritories } from "./units.ts";

interface Config {
  resolution: number;
  accounts: number;
  rounds: number;
  /** Drags of the pan (each about PAN_DRAG_MS). */
  drags: number;
}
const FULL: Config = { resolution: 7, accounts: 50_000, rounds: 3, drags: 4 };
const QUICK: Config = { resolution: 6, accounts: 5_000, rounds: 1, drags: 2 };

const OPEN_TIMEOUT_MS = 90_000;
/** Issue 12's bars. */
const BAR_OPEN_MS = 2_000;
const BAR_FRAME_MS = 17;

/** West Java in full (lon/lat box): the pan's zoom. */
const WEST_JAVA: [number, number, number, number] = [105.1, -7.9, 108.9, -5.85];
/** Clicked to select the territory painted into (Jakarta, in Jabodetabek). */
const SELECT_AT: [number, number] = [106.85, -6.22];
const PAINT_INTO = "jabodetabek";
/** The stroke: from Jabodetabek's edge east across Bandung Raya's units, with a turn (lon/lat). */
const STROKE: [number, number][] = [
  [107.05, -6.62],
  [107.75, -6.62],
  [107.75, -6.72],
  [107.05, -6.72],
];
/** Mouse moves along the stroke, one every ~8 ms plus the round trip: a steady hand's pace. */
const STROKE_STEP_PX = 5;
const PAN_DRAG_MS = 600;
const PAN_STEPS = 40;
/** How long after the release the frames are still counted as the stroke's. */
const AFTER_RELEASE_MS = 1_000;

type Variant = "ours" | "before" | "naive";
const LABEL: Record<Variant, string> = {
  ours: "Wilayah editor (UnitsLayer: one canvas, fills by colour, borders once)",
  before: "the same editor from another client build (UNITS_BROWSER_BEFORE)",
  naive: "stock OpenLayers: one VectorLayer feature per unit, style function",
};
/**
 * UNITS_BROWSER_BEFORE=<dir>: a client build (e.g. of an earlier commit) opened as a third page in
 * the same rounds, its files served in place of the server's, so a change is measured before and
 * after under the same load.
 */
const BEFORE_DIR = process.env.UNITS_BROWSER_BEFORE ? path.resolve(process.env.UNITS_BROWSER_BEFORE) : null;
const VARIANTS: readonly Variant[] = BEFORE_DIR ? ["ours", "before", "naive"] : ["ours", "naive"];

/**
 * Records when the map first says it is drawn with units, and two frames
 * later. A string, not a function: tsx (esbuild keepNames) would wrap inner
 * closures in a `__name` helper the page does not have.
 */
const READY_RECORDER = `(() => {
  const b = (window.__units = { readyAt: null, paintedAt: null });
  const check = () => {
    if (b.readyAt !== null) return;
    const el = document.querySelector('[data-testid="map"]');
    if (!el || el.getAttribute("data-ready") !== "true" || !(Number(el.getAttribute("data-unit-count") || 0) > 0)) return;
    b.readyAt = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => { b.paintedAt = performance.now(); }));
  };
  new MutationObserver(check).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready", "data-unit-count"] });
})()`;

/** requestAnimationFrame deltas (with their end times), long tasks, and the last pointerup. */
const FRAME_RECORDER = `(() => {
  const b = (window.__frames = { frames: [], longTasks: [], up: null, running: true });
  let last = performance.now();
  function tick(t) {
    if (!b.running) return;
    b.frames.push([t, t - last]);
    last = t;
    requestAnimationFrame(tick);
  }
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  window.addEventListener("pointerup", () => { b.up = performance.now(); }, true);
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (b.running) b.longTasks.push(e.duration); })
      .observe({ type: "longtask" });
  } catch {}
})()`;
const STOP_RECORDER = `(() => { const b = window.__frames; b.running = false; return { frames: b.frames, longTasks: b.longTasks, up: b.up }; })()`;

interface Recorded {
  frames: [number, number][];
  longTasks: number[];
  up: number | null;
}

interface PaintFigures {
  /** Frames while the pointer was down. */
  drag: FrameFigures;
  /** Frames in the AFTER_RELEASE_MS after the release (the stroke committed and redrawn). */
  after: FrameFigures;
  /** Units under the stroke, and how many of them changed territory. */
  unitsUnder: number;
  unitsPainted: number;
  /** Units that belong to the painted territory afterwards minus before (the page's own count). */
  gained: number;
}

interface LoadFigures {
  variant: Variant;
  round: number;
  /** Navigation start → data-ready with units (page clock, ms). */
  ready: number;
  /** … → two frames later. */
  painted: number;
  /** responseEnd of the units' GET (compact for ours, GeoJSON for the stock page). */
  unitsFetched: number | null;
  unitsBytes: number | null;
  unitCount: number;
  taskMs: number;
  scriptMs: number;
  heapMB: number;
  pan: FrameFigures;
  paint: PaintFigures;
}

/** Web Mercator of a lon/lat box. */
function mercatorBox([w, s, e, n]: [number, number, number, number]): number[] {
  const R = 6378137;
  const x = (lon: number) => (R * lon * Math.PI) / 180;
  const y = (lat: number) => R * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  return [x(w), y(s), x(e), y(n)];
}

async function cpuProfile<T>(cdp: CDPSession, dir: string | null, name: string, fn: () => Promise<T>): Promise<T> {
  if (!dir) return fn();
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = await cdp.send("Profiler.stop");
    await fs.writeFile(path.join(dir, `units-browser-${name}.cpuprofile`), JSON.stringify(profile));
  }
}

/** Runs one of the page-side scripts above. */
const run = <T>(page: Page, script: string) => page.evaluate(script) as Promise<T>;

async function waitOpened(page: Page): Promise<{ readyAt: number; paintedAt: number }> {
  const handle = await page.waitForFunction(
    () => {
      const b = (window as unknown as { __units?: { readyAt: number | null; paintedAt: number | null } }).__units;
      return b && b.paintedAt !== null ? { readyAt: b.readyAt as number, paintedAt: b.paintedAt } : false;
    },
    undefined,
    { timeout: OPEN_TIMEOUT_MS, polling: 50 },
  );
  return (await handle.jsonValue()) as { readyAt: number; paintedAt: number };
}

/** Fits the view to a lon/lat box and waits for the map's next complete render. */
async function fitTo(page: Page, box: [number, number, number, number]): Promise<void> {
  await page.evaluate(
    (extent) =>
      new Promise<void>((resolve) => {
        const el = document.querySelector('[data-testid="map"]') as HTMLElement & {
          wilayah: {
            map: {
              getView(): { fit(e: number[], o: object): void };
              once(t: string, f: () => void): void;
              render(): void;
            };
          };
        };
        const map = el.wilayah.map;
        map.once("rendercomplete", () => resolve());
        map.getView().fit(extent, { padding: [20, 20, 20, 20] });
        map.render();
      }),
    mercatorBox(box),
  );
}

/** Pans east across Java: `drags` mouse drags right to left over 60 % of the map, each released. */
async function pan(page: Page, drags: number): Promise<FrameFigures> {
  const box = await page.locator('[data-testid="map"]').boundingBox();
  if (!box) throw new Error("the map element has no box");
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = box.width * 0.6;
  await run(page, FRAME_RECORDER);
  for (let d = 0; d < drags; d++) {
    const t0 = performance.now();
    await page.mouse.move(cx + dx / 2, cy);
    await page.mouse.down();
    for (let i = 1; i <= PAN_STEPS; i++) {
      await page.mouse.move(cx + dx / 2 - (dx * i) / PAN_STEPS, cy);
      const due = t0 + (PAN_DRAG_MS * i) / PAN_STEPS - performance.now();
      if (due > 0) await page.waitForTimeout(due);
    }
    await page.mouse.up();
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(400); // the last kinetic glide and the redraw at its end
  const rec = await run<Recorded>(page, STOP_RECORDER);
  return frameFigures(
    rec.frames.slice(1).map(([, d]) => d),
    rec.longTasks,
  );
}

interface MapHandle {
  pixelFor(lon: number, lat: number): number[];
  unitAt(lon: number, lat: number): number;
  unitOwner(u: number): string | null;
  unitsOf(t: string): number[];
}

/** The units under the stroke (sampled every ~0.005°) and their owners, from the page's own hit test. */
async function unitsUnderStroke(page: Page): Promise<{ unit: number; owner: string | null }[]> {
  return page.evaluate((stroke) => {
    const el = document.querySelector('[data-testid="map"]') as HTMLElement & { wilayah: MapHandle };
    const h = el.wilayah;
    const seen = new Set<number>();
    const out: { unit: number; owner: string | null }[] = [];
    for (let i = 1; i < stroke.length; i++) {
      const [x0, y0] = stroke[i - 1] as [number, number];
      const [x1, y1] = stroke[i] as [number, number];
      const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 0.005);
      for (let k = 0; k <= n; k++) {
        const u = h.unitAt(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n);
        if (u >= 0 && !seen.has(u)) {
          seen.add(u);
          out.push({ unit: u, owner: h.unitOwner(u) });
        }
      }
    }
    return out;
  }, STROKE);
}

const ownCount = (page: Page, territory: string) =>
  page.evaluate(
    (t) =>
      (document.querySelector('[data-testid="map"]') as HTMLElement & { wilayah: MapHandle }).wilayah.unitsOf(t).length,
    territory,
  );

/**
 * Selects the territory at SELECT_AT with a click, picks Paint with "p" and
 * drags the stroke; frames during the drag and for a second after.
 */
async function paint(page: Page): Promise<PaintFigures & { changed: number[] }> {
  await fitTo(page, WEST_JAVA);
  const pixel = async (lon: number, lat: number) => {
    const box = await page.locator('[data-testid="map"]').boundingBox();
    const p = await page.evaluate(
      ([x, y]) =>
        (document.querySelector('[data-testid="map"]') as HTMLElement & { wilayah: MapHandle }).wilayah.pixelFor(
          x as number,
          y as number,
        ),
      [lon, lat],
    );
    return { x: (box?.x ?? 0) + (p[0] as number), y: (box?.y ?? 0) + (p[1] as number) };
  };
  const at = await pixel(...SELECT_AT);
  await page.mouse.move(at.x, at.y, { steps: 2 });
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForFunction(
    (t) =>
      document.querySelector('[data-testid="territory-details"]') !== null ||
      document.querySelector('[data-testid="map"]')?.getAttribute("data-selected") === t,
    PAINT_INTO,
  );
  await page.waitForTimeout(300); // not a double click
  await page.keyboard.press("p");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="map"]')?.getAttribute("data-tool") === "paint",
  );
  const under = await unitsUnderStroke(page);
  const before = await ownCount(page, PAINT_INTO);
  const points: { x: number; y: number }[] = [];
  for (const [lon, lat] of STROKE) points.push(await pixel(lon, lat));
  const path: { x: number; y: number }[] = [points[0] as { x: number; y: number }];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as { x: number; y: number };
    const b = points[i] as { x: number; y: number };
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / STROKE_STEP_PX));
    for (let k = 1; k <= n; k++) path.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  await page.mouse.move(path[0]?.x ?? 0, path[0]?.y ?? 0, { steps: 2 });
  await run(page, FRAME_RECORDER);
  await page.waitForTimeout(100);
  await page.mouse.down();
  for (const p of path.slice(1)) {
    await page.mouse.move(p.x, p.y);
    await page.waitForTimeout(8);
  }
  await page.mouse.up();
  await page.waitForTimeout(AFTER_RELEASE_MS);
  const rec = await run<Recorded>(page, STOP_RECORDER);
  const up = rec.up ?? Number.POSITIVE_INFINITY;
  const frames = rec.frames.slice(1);
  const drag = frames.filter(([t]) => t <= up).map(([, d]) => d);
  const after = frames.filter(([t]) => t > up && t <= up + AFTER_RELEASE_MS).map(([, d]) => d);
  const gained = (await ownCount(page, PAINT_INTO)) - before;
  const now = await page.evaluate(
    (us) =>
      us.map((u) =>
        (document.querySelector('[data-testid="map"]') as HTMLElement & { wilayah: MapHandle }).wilayah.unitOwner(u),
      ),
    under.map((x) => x.unit),
  );
  const changed = under.filter((x, i) => x.owner !== now[i]).map((x) => x.unit);
  return {
    drag: frameFigures(drag),
    after: frameFigures(after),
    unitsUnder: under.length,
    unitsPainted: changed.length,
    gained,
    changed,
  };
}

interface Setup {
  plan: CreatedPlan;
  /** H3 index of each unit, in layer order. */
  ids: string[];
  /** Each unit's territory as made (null: none). */
  owners: (string | null)[];
  colors: Record<string, string>;
  units: number;
  accounts: number;
  layerMs: number;
  geojsonBytes: number;
  compactBytes: number;
}

async function setUp(server: RunningServer, cfg: Config, log: (m: string) => void): Promise<Setup> {
  const input = await inputs(cfg);
  const plan = await createPlan(server, "Units browser bench");
  await postTerritories(server, plan, input);
  const imported = await postJson(server, plan, "/accounts", input.csv, "csv");
  if (imported.status !== 201) throw new Error(`POST accounts: ${imported.status} ${imported.text.slice(0, 300)}`);
  const t = performance.now();
  const made = await postJson(server, plan, "/units", { kind: "h3", resolution: cfg.resolution, area: "territories" });
  const layerMs = performance.now() - t;
  if (made.status !== 201) throw new Error(`POST units: ${made.status} ${made.text.slice(0, 300)}`);
  const compactRes = await api(server, plan, `/api/plans/${plan.id}/units?format=compact`);
  const compactText = await compactRes.text();
  const ids = (JSON.parse(compactText) as { ids: string[] }).ids;
  const geoRes = await api(server, plan, `/api/plans/${plan.id}/units`);
  const geoText = await geoRes.text();
  const byId = new Map(
    (JSON.parse(geoText) as { features: { properties: { id: string; territory: string | null } }[] }).features.map(
      (f) => [f.properties.id, f.properties.territory],
    ),
  );
  const owners = ids.map((id) => byId.get(id) ?? null);
  log(
    `plan made: ${ids.length.toLocaleString("en-US")} units, ${input.accounts.length.toLocaleString("en-US")} accounts, layer in ${fmt(layerMs)} ms`,
  );
  return {
    plan,
    ids,
    owners,
    colors: Object.fromEntries(input.territories.map((tr) => [tr.id, tr.color])),
    units: ids.length,
    accounts: input.accounts.length,
    layerMs,
    geojsonBytes: Buffer.byteLength(geoText),
    compactBytes: Buffer.byteLength(compactText),
  };
}

/** Builds the stock page with Vite into tests/bench/scratch/naive-units/. */
async function buildNaive(): Promise<string> {
  const { build } = await import("vite");
  const outDir = path.join(import.meta.dirname, "scratch", "naive-units");
  await build({
    root: path.join(import.meta.dirname, "naive-units"),
    base: "/bench-naive/",
    configFile: false,
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  });
  return outDir;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".html": "text/html",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** Serves another client build in place of the server's (the API and the socket still go to the server). */
async function routeBuild(context: BrowserContext, server: RunningServer, dir: string): Promise<void> {
  await context.route(
    (url) => url.origin === server.url && !url.pathname.startsWith("/api/") && !url.pathname.startsWith("/sync/"),
    async (route) => {
      const pathname = new URL(route.request().url()).pathname;
      let file = path.join(dir, pathname);
      if (!file.startsWith(dir) || !(await fs.stat(file).catch(() => null))?.isFile())
        file = path.join(dir, "index.html");
      await route.fulfill({
        status: 200,
        contentType: TYPES[path.extname(file)] ?? "application/octet-stream",
        body: await fs.readFile(file),
      });
    },
  );
}

/** Serves the stock page at <server>/bench-naive/ (same origin as the API) from its build. */
async function routeNaive(context: BrowserContext, server: RunningServer, dir: string): Promise<void> {
  await context.route(`${server.url}/bench-naive/**`, async (route) => {
    const rel = new URL(route.request().url()).pathname.replace(/^\/bench-naive\//, "") || "index.html";
    const file = path.join(dir, rel);
    const type = file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html";
    try {
      await route.fulfill({ status: 200, contentType: type, body: await fs.readFile(file) });
    } catch {
      await route.fulfill({ status: 404, body: "" });
    }
  });
}

async function oneLoad(
  browser: Browser,
  server: RunningServer,
  setup: Setup,
  variant: Variant,
  round: number,
  cfg: Config,
  naiveDir: string,
  profileDir: string | null,
): Promise<LoadFigures> {
  const context = await returningUser(browser);
  try {
    await context.addInitScript(READY_RECORDER);
    if (variant === "naive") await routeNaive(context, server, naiveDir);
    if (variant === "before" && BEFORE_DIR) await routeBuild(context, server, BEFORE_DIR);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const profile = round === 1 ? profileDir : null;
    const url =
      variant !== "naive"
        ? setup.plan.editUrl
        : `${server.url}/bench-naive/index.html?${new URLSearchParams({
            plan: setup.plan.id,
            token: setup.plan.token ?? "",
            colors: JSON.stringify(setup.colors),
          })}`;
    const opened = await cpuProfile(cdp, profile, `${variant}-open`, async () => {
      await page.goto(url, { waitUntil: "commit" });
      try {
        return await waitOpened(page);
      } catch (e) {
        throw new Error(
          `${variant}: the map never said it was drawn with units (page errors: ${errors.slice(0, 3).join(" | ") || "none"}): ${(e as Error).message.split("\n")[0]}`,
        );
      }
    });
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    const fetched = await page.evaluate(() => {
      const e = performance.getEntriesByType("resource").find((r) => /\/api\/plans\/[^/]+\/units(\?|$)/.test(r.name)) as
        | PerformanceResourceTiming
        | undefined;
      return e ? { at: e.responseEnd, bytes: e.encodedBodySize } : null;
    });
    const unitCount = Number(await page.locator('[data-testid="map"]').getAttribute("data-unit-count"));
    await page.waitForTimeout(500); // first-load work settles (the analysis, the accounts)
    await assertMapUncovered(page);
    await fitTo(page, WEST_JAVA);
    await page.waitForTimeout(300);
    const panned = await cpuProfile(cdp, profile, `${variant}-pan`, () => pan(page, cfg.drags));
    const painted = await cpuProfile(cdp, profile, `${variant}-paint`, () => paint(page));
    if (variant !== "naive" && painted.changed.length > 0) {
      // Back as made, so the next round paints the same units.
      const assign = Object.fromEntries(painted.changed.map((u) => [setup.ids[u], setup.owners[u] ?? null]));
      const res = await api(server, setup.plan, `/api/plans/${setup.plan.id}/units`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assign }),
      });
      if (!res.ok) throw new Error(`PATCH units (undoing the stroke): ${res.status} ${await res.text()}`);
    }
    if (errors.length) throw new Error(`${variant}: the page threw: ${errors.slice(0, 3).join(" | ")}`);
    const { changed: _, ...paintFigures } = painted;
    return {
      variant,
      round,
      ready: opened.readyAt,
      painted: opened.paintedAt,
      unitsFetched: fetched?.at ?? null,
      unitsBytes: fetched?.bytes ?? null,
      unitCount,
      taskMs: metric("TaskDuration") * 1000,
      scriptMs: metric("ScriptDuration") * 1000,
      heapMB: metric("JSHeapUsedSize") / 1e6,
      pan: panned,
      paint: paintFigures,
    };
  } finally {
    await context.close();
  }
}

const ms = (v: number) => `${fmt(v, 1)} ms`;
const verdict = (ok: boolean) => (ok ? "met" : "**missed**");

async function runBench(ctx: BenchContext): Promise<BenchResult> {
  const cfg = ctx.quick ? QUICK : FULL;
  const n = cfg.accounts.toLocaleString("en-US");
  const base = {
    name: "units-browser",
    title: `Units in the browser: Java at H3 resolution ${cfg.resolution}, ${n} accounts`,
    description: `Our server (its own process) serves the client build and the plan: Java's ten demo territories, ${n} demo accounts, the unit layer made with POST …/units at resolution ${cfg.resolution} (as tests/bench/units.ts does). Headless Chromium (${CHROMIUM_SETUP}, software rendering on a 2-core machine shared with the server) opens the edit link as a returning user, ${cfg.rounds} round(s); each round times navigation → data-ready with units (data-unit-count > 0) → two frames ("painted"), fits West Java in view and pans east across Java with ${cfg.drags} mouse drags of ${PAN_DRAG_MS} ms each (60 % of the map, released between drags), then selects ${PAINT_INTO} with a click, presses "p" and paints one stroke across Bandung Raya's units next to it (a move every ${STROKE_STEP_PX} px, ~8 ms apart), recording requestAnimationFrame deltas. The stock way, a page of one OpenLayers VectorLayer feature per unit (GeoJSON from GET …/units, style function, forEachFeatureAtPixel to paint; tests/bench/naive-units/), is opened and driven the same way in the same rounds. Times in ms from navigation start.`,
  };
  const found = await findBrowser("units-browser");
  if (found.missing !== undefined) return skipped(base, found.missing);
  const { staticDir, launch } = found;
  const naiveDir = await buildNaive();
  const loadBefore = os.loadavg();
  const dataDir = await tempDir("units-browser");
  const server = await startOurServer({
    dataDir,
    env: { STATIC_DIR: staticDir, ROOM_IDLE_MS: "60000", SCORING: "1" },
    profileDir: ctx.profileDir,
  });
  let browser: Browser | null = null;
  const loads: LoadFigures[] = [];
  let setup: Setup;
  try {
    setup = await setUp(server, cfg, ctx.log);
    // A page whose files the bench serves (route.fulfill) has no address, and Chromium's local network
    // access checks then refuse its socket to 127.0.0.1: off when another build is served.
    browser = await launch(BEFORE_DIR ? ["--disable-features=LocalNetworkAccessChecks"] : []);
    for (let round = 1; round <= cfg.rounds; round++) {
      for (const variant of VARIANTS) {
        const f = await oneLoad(browser, server, setup, variant, round, cfg, naiveDir, ctx.profileDir);
        ctx.log(
          `${variant} #${round}: painted ${fmt(f.painted, 0)} ms (ready ${fmt(f.ready, 0)}); pan median ${fmt(f.pan.medianMs)} / p95 ${fmt(f.pan.p95Ms)} / max ${fmt(f.pan.maxMs, 0)} ms (${f.pan.frames} frames); paint ${f.paint.unitsPainted} of ${f.paint.unitsUnder} units: drag median ${fmt(f.paint.drag.medianMs)} / p95 ${fmt(f.paint.drag.p95Ms)} ms, after release max ${fmt(f.paint.after.maxMs, 0)} ms`,
        );
        loads.push(f);
      }
    }
  } finally {
    await browser?.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg();
  const of = (v: Variant) => loads.filter((f) => f.variant === v);
  const med = (v: Variant, pick: (f: LoadFigures) => number) => median(of(v).map(pick));
  const ratio = (v: Variant, pick: (f: LoadFigures) => number) =>
    med("ours", pick) > 0 ? `${fmt(med(v, pick) / med("ours", pick), 1)}×` : "–";
  const openOurs = med("ours", (f) => f.painted);
  const panOurs = med("ours", (f) => f.pan.medianMs);
  const paintOurs = med("ours", (f) => f.paint.drag.medianMs);
  const withBefore = VARIANTS.includes("before");
  const row = (measure: string, pick: (f: LoadFigures) => number, bar: string, digits = 1) => [
    measure,
    fmt(med("ours", pick), digits),
    ...(withBefore ? [fmt(med("before", pick), digits), ratio("before", pick)] : []),
    fmt(med("naive", pick), digits),
    ratio("naive", pick),
    bar,
  ];
  const summary = {
    title: `Issue 12's browser bar, ours beside the stock way (medians of ${cfg.rounds} round(s); ms)`,
    columns: [
      "measure",
      "ours",
      ...(withBefore ? ["before (UNITS_BROWSER_BEFORE)", "before / ours"] : []),
      "stock OpenLayers",
      "stock / ours",
      "bar",
    ],
    rows: [
      row(
        "open: navigation → units painted",
        (f) => f.painted,
        `≤ ${BAR_OPEN_MS / 1000} s: ${verdict(openOurs <= BAR_OPEN_MS)}`,
        0,
      ),
      row("… the units' GET done", (f) => f.unitsFetched ?? Number.NaN, "–", 0),
      row("… main thread busy until then", (f) => f.taskMs, "–", 0),
      row(
        "pan at West Java zoom: frame median",
        (f) => f.pan.medianMs,
        `≤ ${BAR_FRAME_MS} ms: ${verdict(panOurs <= BAR_FRAME_MS)}`,
      ),
      row("… frame p95", (f) => f.pan.p95Ms, "–"),
      row("… longest frame", (f) => f.pan.maxMs, "–", 0),
      row("… frames over 33 ms (count)", (f) => f.pan.dropped, "–", 0),
      row(
        "paint stroke (drag): frame median",
        (f) => f.paint.drag.medianMs,
        `≤ ${BAR_FRAME_MS} ms: ${verdict(paintOurs <= BAR_FRAME_MS)}`,
      ),
      row("… frame p95", (f) => f.paint.drag.p95Ms, "–"),
      row("… longest frame during the drag", (f) => f.paint.drag.maxMs, "–", 0),
      row("… frames over 33 ms during the drag (count)", (f) => f.paint.drag.dropped, "–", 0),
      row(`… longest frame in the ${AFTER_RELEASE_MS / 1000} s after release`, (f) => f.paint.after.maxMs, "–", 0),
      row("units the stroke changed", (f) => f.paint.unitsPainted, "–", 0),
      row("JS heap after opening, MB", (f) => f.heapMB, "–", 0),
    ],
  };
  const every = {
    title: "Every page load",
    columns: [
      "round",
      "page",
      "ready",
      "painted",
      "units GET done",
      "busy",
      "pan frames: median / p95 / max (n)",
      "pan dropped (> 33 ms)",
      "paint drag: median / p95 / max (n)",
      "after release: median / max",
      "units under / changed",
    ],
    rows: loads.map((f) => [
      f.round,
      f.variant,
      fmt(f.ready, 0),
      fmt(f.painted, 0),
      f.unitsFetched === null ? "–" : fmt(f.unitsFetched, 0),
      fmt(f.taskMs, 0),
      `${fmt(f.pan.medianMs)} / ${fmt(f.pan.p95Ms)} / ${fmt(f.pan.maxMs, 0)} (${f.pan.frames})`,
      f.pan.dropped,
      `${fmt(f.paint.drag.medianMs)} / ${fmt(f.paint.drag.p95Ms)} / ${fmt(f.paint.drag.maxMs, 0)} (${f.paint.drag.frames})`,
      `${fmt(f.paint.after.medianMs)} / ${fmt(f.paint.after.maxMs, 0)}`,
      `${f.paint.unitsUnder} / ${f.paint.unitsPainted}`,
    ]),
  };
  const s = setup;
  const notes = [
    `Pages: ours = ${LABEL.ours}; stock = ${LABEL.naive}${BEFORE_DIR ? `; before = ${LABEL.before}: ${path.relative(ROOT, BEFORE_DIR) || BEFORE_DIR}/` : ""}.`,
    `Machine load: 1-minute load average ${loadBefore[0]?.toFixed(2)} at the start and ${loadAfter[0]?.toFixed(2)} at the end (${os.cpus().length} cores); the browser, its GPU process (software) and the server share them.`,
    `Open: ${verdict(openOurs <= BAR_OPEN_MS)} (${ms(openOurs)} to the units painted; bar 2 s). The editor fetches the layer in the compact form (${(s.compactBytes / 1e6).toFixed(1)} MB of JSON before gzip) and joins the document (${s.units.toLocaleString("en-US")} assignment entries) and the analysis of ${s.accounts.toLocaleString("en-US")} accounts; the stock page only fetches the GeoJSON (${(s.geojsonBytes / 1e6).toFixed(1)} MB before gzip) and draws it, with no document, analysis, accounts or basemap, so its open time flatters it.`,
    `Pan: ${verdict(panOurs <= BAR_FRAME_MS)} (frame median ${ms(panOurs)}). Ours moves one image while the pointer is down and redraws it once the view settles (the longest frame), so past the image's 12.5 % margin a drag shows no units until it ends; the stock VectorLayer replays every visible unit's path each frame.`,
    `Paint: ${verdict(paintOurs <= BAR_FRAME_MS)} (drag frame median ${ms(paintOurs)}). Ours shows the stroke on a small vector layer and writes one Yjs transaction on release; the frames after the release include the commit, the outlines of the two territories, the units' redraw and the analysis coming back. The stock page sets each feature's territory as the pointer passes (the VectorLayer rebuilds its render instructions on each change) and sends nothing.`,
    `The plan: ${s.units.toLocaleString("en-US")} units, layer made in ${ms(s.layerMs)}; the stroke is undone over REST after each of our rounds so every round paints the same units. Client build served: ${path.relative(ROOT, staticDir) || staticDir}/.`,
  ];
  return {
    ...base,
    tables: [summary, every],
    notes,
    data: {
      config: cfg,
      loadAverage: { before: loadBefore, after: loadAfter },
      plan: {
        units: s.units,
        accounts: s.accounts,
        layerMs: s.layerMs,
        geojsonBytes: s.geojsonBytes,
        compactBytes: s.compactBytes,
      },
      loads,
    },
  };
}

export const unitsBrowser: Benchmark = {
  name: "units-browser",
  title: "Units in the browser (issue 12)",
  run: runBench,
};
