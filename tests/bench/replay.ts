/**
 * Replay (issue 14; README "Benchmarks"): a simulated 2-hour session of
 * four managers on a plan of 60 drawn territories over Java, written
 * through the real store the way the server writes it (LowdbStore: each
 * update appended with its time and author, compacted whenever the log
 * passes COMPACT_LOG_BYTES' default of 1 MiB, and once when the session
 * ends), then read back through the real server's
 * GET /api/plans/:id/history with a view link, and replayed in this process
 * with the browser's own code (client/replay/session.ts decodes the pages,
 * shared/history/timeline.ts rebuilds): the time to open the replay, seeks
 * to random moments (bar ≤ 300 ms) against the naive way (every update from
 * the session's start, for every seek) in the same run, and playback at 60×
 * (one frame applies a second of the session; a map-like observer decodes
 * each geometry the frame changed, as the map's layer would). The storage a
 * session leaves in history/, and what a year of daily sessions costs with
 * and without the 30-day cap.
 */
import fs from "node:fs/promises";
import path from "node:path";
import * as Y from "yjs";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Author } from "../../shared/comments/comments.ts";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  deleteTerritory,
  TERRITORY_KEYS,
  territoriesMap,
  updateTerritory,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import { decodeGeometry } from "../../shared/geometry/codec.ts";
import type { HistoryPage } from "../../shared/history/history.ts";
import { HISTORY_POLICY } from "../../shared/history/policy.ts";
import { Timeline } from "../../shared/history/timeline.ts";
import { mulberry32 } from "../../shared/scoring/synthetic.ts";
import { decodeHistory } from "../../client/replay/session.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { benchTerritory, blobRing, javaGrid, type Polygon, type Pos, polygon } from "./lib/geometry.ts";
import { type BenchContext, type BenchResult, type Benchmark, fmt, fmtBytes, percentile } from "./lib/report.ts";
import { CHROMIUM_SETUP, type FrameFigures, findBrowser, frameFigures, returningUser } from "./lib/browser.ts";
import { createPlan, dirSize, startOurServer, tempDir } from "./lib/servers.ts";

const MANAGERS: Author[] = ["Ani", "Budi", "Citra", "Dedi"].map((name, i) => ({
  id: `p-manager${i}`,
  name,
  role: "edit",
}));
const COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];
/** The room's compaction threshold (server/config.ts COMPACT_LOG_BYTES' default). */
const COMPACT_LOG_BYTES = 1024 * 1024;

interface Simulated {
  base: Uint8Array;
  updates: { at: number; by: Author; update: Uint8Array }[];
  feed: ActivityEntry[];
  scores: { at: number; score: number }[];
  edits: number;
  start: number;
  end: number;
}

/**
 * Four managers, each editing every 8 s on average (exponential gaps) for
 * `hours`: 60 % reshapes (a vertex dragged: three writes of the territory's
 * geometry 300 ms apart, as a drag's moves land), 20 % renames, 10 %
 * recolours, 7 % new territories, 3 % deletions (of new ones). Each
 * manager's document receives the others' updates, as sync does.
 */
function simulate(hours: number, seed = 14): Simulated {
  const rand = mulberry32(seed);
  const start = Date.parse("2026-12-01T09:00:00Z");
  const end = start + hours * 3600_000;
  const docs = MANAGERS.map((_, i) => {
    const d = new Y.Doc();
    d.clientID = 1000 + i;
    return d;
  });
  const seedDoc = new Y.Doc();
  seedDoc.clientID = 999;
  const rings = new Map<string, Pos[]>();
  const grid = javaGrid(10, 6, 25);
  transact(seedDoc, LOCAL_EDIT, () => {
    grid.forEach((g, i) => {
      rings.set(
        `t${i}`,
        (g.coordinates[0] as Pos[]).map((p) => [p[0], p[1]] as Pos),
      );
      writeTerritory(seedDoc, benchTerritory(`t${i}`, `Wilayah ${i + 1}`, COLORS[i % COLORS.length] as string, g));
    });
  });
  const base = Y.encodeStateAsUpdate(seedDoc);
  for (const d of docs) Y.applyUpdate(d, base);
  const updates: Simulated["updates"] = [];
  const feed: ActivityEntry[] = [];
  const scores: Simulated["scores"] = [];
  let score = 72;
  let lastScoreAt = 0;
  let created = 0;
  const mine: string[] = [];
  // Each manager's next edit.
  const next = MANAGERS.map(() => start + 60_000 + -Math.log(1 - rand()) * 8000);
  let edits = 0;
  const write = (m: number, at: number, fn: (doc: Y.Doc) => void) => {
    const doc = docs[m] as Y.Doc;
    let update: Uint8Array | null = null;
    const on = (u: Uint8Array) => {
      update = u;
    };
    doc.once("update", on);
    transact(doc, LOCAL_EDIT, () => fn(doc));
    doc.off("update", on);
    if (!update) return;
    updates.push({ at, by: MANAGERS[m] as Author, update });
    for (let o = 0; o < docs.length; o++) if (o !== m) Y.applyUpdate(docs[o] as Y.Doc, update);
  };
  const entry = (m: number, at: number, kind: ActivityEntry["kind"], territoryId: string, name: string) => {
    const iso = new Date(at).toISOString();
    feed.push({
      seq: feed.length + 1,
      kind,
      actor: MANAGERS[m] as Author,
      at: iso,
      lastAt: iso,
      count: 1,
      territoryId,
      territoryName: name,
    });
  };
  for (;;) {
    let m = 0;
    for (let i = 1; i < next.length; i++) if ((next[i] as number) < (next[m] as number)) m = i;
    // Whole milliseconds, as the server's clock gives them.
    const at = Math.round(next[m] as number);
    if (at >= end) break;
    next[m] = at + 1000 + -Math.log(1 - rand()) * 7000;
    edits++;
    const ids = [...territoriesMap(docs[m] as Y.Doc).keys()];
    const id = ids[Math.floor(rand() * ids.length)] as string;
    const r = rand();
    if (r < 0.6) {
      const ring = rings.get(id);
      if (!ring) continue;
      const k = Math.floor(rand() * (ring.length - 1));
      for (let step = 0; step < 3; step++) {
        const v = ring[k] as Pos;
        v[0] += 0.004 * (rand() - 0.5);
        v[1] += 0.004 * (rand() - 0.5);
        if (k === 0) ring[ring.length - 1] = [v[0], v[1]];
        const g: Polygon = polygon(ring);
        write(m, at + step * 300, (d) => updateTerritory(d, id, { geometry: g }));
      }
      entry(m, at, "territory-reshaped", id, id);
    } else if (r < 0.8) {
      const name = `Wilayah ${id.slice(1)} ${String.fromCharCode(65 + Math.floor(rand() * 26))}`;
      write(m, at, (d) => updateTerritory(d, id, { name }));
      entry(m, at, "territory-renamed", id, name);
    } else if (r < 0.9) {
      write(m, at, (d) => updateTerritory(d, id, { color: COLORS[Math.floor(rand() * COLORS.length)] as string }));
      entry(m, at, "territory-updated", id, id);
    } else if (r < 0.97 || mine.length === 0) {
      const nid = `n${created++}`;
      const ring = blobRing([106 + rand() * 8, -8 + rand() * 2], 0.08, 60, created);
      rings.set(nid, ring);
      mine.push(nid);
      write(m, at, (d) => writeTerritory(d, benchTerritory(nid, `Baru ${created}`, "#666666", polygon(ring))));
      entry(m, at, "territory-created", nid, `Baru ${created}`);
    } else {
      const gone = mine.splice(Math.floor(rand() * mine.length), 1)[0] as string;
      write(m, at, (d) => deleteTerritory(d, gone));
      entry(m, at, "territory-deleted", gone, gone);
    }
    // The scoring's score, kept at most every 2 s (server/history/scores.ts).
    if (at - lastScoreAt >= 2000) {
      score = Math.max(30, Math.min(98, score + (rand() - 0.45) * 1.5));
      scores.push({ at, score: Math.round(score * 10) / 10 });
      lastScoreAt = at;
    }
  }
  updates.sort((a, b) => a.at - b.at);
  return { base, updates, feed, scores, edits, start, end };
}

/** Writes the session through the store as the room does: appends with time and author, compaction past 1 MiB. */
async function writeSession(dataDir: string, planId: string, sim: Simulated): Promise<{ compactions: number }> {
  const store = new LowdbStore(dataDir);
  const doc = await store.openDocument(planId, "");
  const state = new Y.Doc();
  // The plan as it stood before the session: written by the server (an import), then compacted.
  await doc.append(sim.base, { at: sim.start, by: null });
  Y.applyUpdate(state, sim.base);
  await doc.compact(Y.encodeStateAsUpdate(state));
  let compactions = 1;
  // Group commit: the appends of a burst go together, as the room's queue does.
  const BATCH = 16;
  for (let i = 0; i < sim.updates.length; i += BATCH) {
    const batch = sim.updates.slice(i, i + BATCH);
    await Promise.all(
      batch.map((u) => {
        Y.applyUpdate(state, u.update);
        return doc.append(u.update, { at: u.at, by: u.by });
      }),
    );
    if (doc.logBytes >= COMPACT_LOG_BYTES) {
      await doc.compact(Y.encodeStateAsUpdate(state));
      compactions++;
    }
  }
  // The last person leaves: the room compacts as it unloads.
  await doc.compact(Y.encodeStateAsUpdate(state));
  compactions++;
  await doc.close();
  await store.putActivity(planId, sim.feed);
  await store.appendScores(planId, sim.scores);
  await store.close();
  return { compactions };
}

/** Applies a frame's updates and, as the map layer does, decodes each geometry the frame changed. */
function mapLike(doc: Y.Doc): () => void {
  const map = territoriesMap(doc);
  const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const e of events) {
      if (e.target === map) continue;
      const t = e.target as Y.Map<unknown>;
      if ((e as Y.YMapEvent<unknown>).keysChanged?.has(TERRITORY_KEYS.geometry)) {
        const bytes = t.get(TERRITORY_KEYS.geometry);
        if (bytes instanceof Uint8Array) decodeGeometry(bytes);
      }
    }
  };
  map.observeDeep(observer);
  return () => map.unobserveDeep(observer);
}

/** JSON with keys sorted: two documents built differently list a map's keys in different orders. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value instanceof Uint8Array
        ? Array.from(value)
        : value,
  );
}

interface InBrowser {
  /** Navigation to the replay link → the replay ready (app, plan, history fetched, timeline built). */
  openMs: number;
  /** Scrubber moved to a random moment → two frames later (built or played forward, bound, drawn). */
  seekMs: number[];
  /** requestAnimationFrame deltas while playing at 60×. */
  play: FrameFigures;
  /** …and while paused, the same page (the machine's own pace, for comparison). */
  idle: FrameFigures;
  playedUpdates: number;
}

/**
 * The same replay in headless Chromium, through the UI a leader uses: the
 * view link with `?replay=<the session's start>`, the scrubber moved to
 * random moments, then Play at 60× for `playSeconds`.
 */
async function inBrowser(
  url: string,
  moments: number[],
  playSeconds: number,
  launch: () => Promise<import("playwright-core").Browser>,
  /** With BENCH_PROFILE=1: the page's CPU profile while playing goes here. */
  profileDir: string | null,
): Promise<InBrowser> {
  const browser = await launch();
  try {
    const page = await (await returningUser(browser)).newPage();
    const t0 = performance.now();
    await page.goto(url);
    await page.locator('[data-testid="replay-bar"][data-status="ready"]').waitFor({ timeout: 180_000 });
    const openMs = performance.now() - t0;
    const seekMs: number[] = [];
    for (const t of moments) {
      seekMs.push(
        await page.evaluate(async (at) => {
          const el = document.querySelector('[data-testid="replay-scrubber"]') as HTMLInputElement;
          const s0 = performance.now();
          el.value = String(at);
          el.dispatchEvent(new Event("input", { bubbles: true }));
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return performance.now() - s0;
        }, t),
      );
    }
    // Back to the earliest moment, 60×, play; frames recorded in the page.
    await page.evaluate(
      (at) => {
        const el = document.querySelector('[data-testid="replay-scrubber"]') as HTMLInputElement;
        el.value = String(at);
        el.dispatchEvent(new Event("input", { bubbles: true }));
      },
      Math.min(...moments),
    );
    await page.getByTestId("replay-speed-60").click();
    const before = Number(await page.getByTestId("replay-bar").getAttribute("data-applied"));
    // A string, not a function: tsx names the functions it compiles with a helper the page lacks.
    const frames = async (seconds: number) =>
      (await page.evaluate(
        `new Promise((resolve) => { const out = []; let last = performance.now(); const end = last + ${seconds * 1000};
        function tick(now) { out.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else resolve(out); }
        requestAnimationFrame(tick); })`,
      )) as number[];
    const idle = await frames(Math.min(5, playSeconds));
    const cdp = profileDir ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.start");
    }
    await page.getByTestId("replay-play").click();
    const deltas = await frames(playSeconds);
    if (cdp && profileDir) {
      const { profile } = await cdp.send("Profiler.stop");
      await fs.writeFile(path.join(profileDir, "replay-browser.cpuprofile"), JSON.stringify(profile));
    }
    const after = Number(await page.getByTestId("replay-bar").getAttribute("data-applied"));
    return {
      openMs,
      seekMs,
      play: frameFigures(deltas.slice(1)),
      idle: frameFigures(idle.slice(1)),
      playedUpdates: after - before,
    };
  } finally {
    await browser.close();
  }
}

const stats = (ms: number[]) => ({
  p50: percentile(ms, 50),
  p95: percentile(ms, 95),
  p99: percentile(ms, 99),
  max: Math.max(...ms),
});

export const replayBench: Benchmark = {
  name: "replay",
  title: "Replay of a 2-hour session",
  async run(ctx: BenchContext): Promise<BenchResult> {
    // BENCH_REPLAY_HOURS: another session length (a quick run's short session is not the bar's).
    const hours = Number(process.env.BENCH_REPLAY_HOURS) || (ctx.quick ? 0.25 : 2);
    const seeks = ctx.quick ? 40 : 300;
    const naiveSeeks = ctx.quick ? 5 : 40;
    ctx.log(`simulating ${hours} h of four managers`);
    const sim = simulate(hours);
    const updateBytes = sim.updates.reduce((n, u) => n + u.update.length, 0);
    const dataDir = await tempDir("replay");
    let server = await startOurServer({ dataDir, env: { SCORING: "0" } });
    let fetched: { ms: number; bytes: number; pages: number; entries: number };
    let pages: HistoryPage[] = [];
    let historyBytes = 0;
    let planBytes = 0;
    let compactions = 0;
    let browserFigures: InBrowser | null = null;
    let browserSkipped: string | null = null;
    const rand = mulberry32(7);
    const moments = Array.from({ length: seeks }, () => sim.start + rand() * (sim.end - sim.start));
    try {
      const plan = await createPlan(server, "Replay bench");
      await server.stop();
      ctx.log(`writing ${sim.updates.length} updates through the store`);
      ({ compactions } = await writeSession(dataDir, plan.id, sim));
      const planDir = path.join(dataDir, "plans", plan.id);
      historyBytes = (await dirSize(path.join(planDir, "history"))).bytes;
      planBytes = (await dirSize(planDir)).bytes - historyBytes;
      const found = await findBrowser("replay");
      server = await startOurServer({
        dataDir,
        env: { SCORING: "0", ...(found.missing === undefined ? { STATIC_DIR: found.staticDir } : {}) },
      });
      // Read as a leader's browser does: the view link, page after page.
      const t0 = performance.now();
      let bytes = 0;
      let from: string | null = String(sim.start - 60_000);
      while (from !== null) {
        const q = new URLSearchParams({ from, to: String(sim.end + 60_000), token: plan.tokens.view ?? "" });
        const res = await fetch(`${server.url}/api/plans/${plan.id}/history?${q}`);
        const text = await res.text();
        if (res.status !== 200) throw new Error(`GET history: ${res.status} ${text.slice(0, 200)}`);
        bytes += Buffer.byteLength(text);
        const page = JSON.parse(text) as HistoryPage;
        pages.push(page);
        from = page.next;
      }
      fetched = {
        ms: performance.now() - t0,
        bytes,
        pages: pages.length,
        entries: pages.reduce((n, p) => n + p.entries.length, 0),
      };
      if (found.missing !== undefined) browserSkipped = found.missing;
      else {
        ctx.log("the same replay in Chromium");
        const url = `${server.url}/plan/${plan.id}?token=${plan.tokens.view}&replay=${new Date(sim.start).toISOString()}`;
        browserFigures = await inBrowser(
          url,
          moments.slice(0, ctx.quick ? 10 : 40),
          ctx.quick ? 5 : 20,
          () => found.launch(),
          ctx.profileDir,
        );
      }
    } finally {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }

    // Opening the replay: decode the pages, build the timeline and its keyframes.
    const o0 = performance.now();
    const decoded = decodeHistory(pages);
    const decodeMs = performance.now() - o0;
    const timeline = new Timeline(decoded.snapshot, decoded.updates);
    const openMs = performance.now() - o0;
    pages = [];
    if (decoded.updates.length !== sim.updates.length + 1) {
      throw new Error(`history holds ${decoded.updates.length} updates, the session wrote ${sim.updates.length + 1}`);
    }

    // Seeks to random moments, each a fresh document (as a backward seek in the browser).
    const seekMs: number[] = [];
    for (const t of moments) {
      const s0 = performance.now();
      const doc = timeline.build(timeline.countAt(t));
      seekMs.push(performance.now() - s0);
      doc.destroy();
    }
    // The naive way on a subset of the same moments; the two agree.
    const naiveMs: number[] = [];
    for (const t of moments.slice(0, naiveSeeks)) {
      const n = timeline.countAt(t);
      const s0 = performance.now();
      const naive = timeline.buildFromStart(n);
      naiveMs.push(performance.now() - s0);
      const fast = timeline.build(n);
      if (canonical(territoriesMap(naive).toJSON()) !== canonical(territoriesMap(fast).toJSON())) {
        throw new Error(`the keyframed state at ${new Date(t).toISOString()} differs from the naive one`);
      }
      naive.destroy();
      fast.destroy();
    }

    // Playback at 60×: 60 frames a second, each a second of the session.
    const frameMs: number[] = [];
    const doc = timeline.build(0);
    const stop = mapLike(doc);
    let applied = 0;
    let busiest = 0;
    for (let t = timeline.start; t <= timeline.end + 1000; t += 1000) {
      const n = timeline.countAt(t);
      const f0 = performance.now();
      timeline.advance(doc, applied, n);
      frameMs.push(performance.now() - f0);
      busiest = Math.max(busiest, n - applied);
      applied = n;
    }
    stop();
    doc.destroy();

    const seek = stats(seekMs);
    const naive = stats(naiveMs);
    const frame = stats(frameMs);
    const perSession = historyBytes;
    const sessionsKept = Math.round(HISTORY_POLICY.maxAgeMs / (24 * 3600_000));
    const data = {
      hours,
      edits: sim.edits,
      updates: sim.updates.length,
      updateBytes,
      feedEntries: sim.feed.length,
      scores: sim.scores.length,
      compactions,
      historyBytes,
      planBytes,
      fetched,
      decodeMs,
      openMs,
      keyframes: timeline.keyframeCount,
      seekMs: seek,
      naiveSeekMs: naive,
      seekRatio: naive.p50 / seek.p50,
      frameMs: frame,
      frames: frameMs.length,
      busiestFrameUpdates: busiest,
      yearBytes: { capped: perSession * Math.min(365, sessionsKept), uncapped: perSession * 365 },
      browser: browserFigures
        ? { ...browserFigures, seekMs: stats(browserFigures.seekMs), seeks: browserFigures.seekMs.length }
        : { skipped: browserSkipped },
    };
    const browserTables = browserFigures
      ? [
          {
            title: `In Chromium, through the replay UI (${CHROMIUM_SETUP})`,
            columns: ["what", "n", "p50 / median", "p95", "max"],
            rows: [
              ["open the replay link → ready", 1, `${fmt(browserFigures.openMs)} ms`, "", ""],
              [
                "scrub to a random moment → two frames later (built, bound, drawn)",
                browserFigures.seekMs.length,
                `${fmt(percentile(browserFigures.seekMs, 50))} ms`,
                `${fmt(percentile(browserFigures.seekMs, 95))} ms`,
                `${fmt(Math.max(...browserFigures.seekMs))} ms`,
              ],
              [
                `play at 60×: frame deltas (${browserFigures.playedUpdates} updates played, ${browserFigures.play.dropped} frames over 33 ms)`,
                browserFigures.play.frames,
                `${fmt(browserFigures.play.medianMs)} ms`,
                `${fmt(browserFigures.play.p95Ms)} ms`,
                `${fmt(browserFigures.play.maxMs)} ms`,
              ],
              [
                `the same page paused: frame deltas (${browserFigures.idle.dropped} over 33 ms; the machine's own pace)`,
                browserFigures.idle.frames,
                `${fmt(browserFigures.idle.medianMs)} ms`,
                `${fmt(browserFigures.idle.p95Ms)} ms`,
                `${fmt(browserFigures.idle.maxMs)} ms`,
              ],
            ],
          },
        ]
      : [];
    return {
      name: "replay",
      title: `Replay of a ${hours}-hour session of four managers`,
      description:
        "tests/bench/replay.ts: a simulated session (60 territories of 100 vertices over Java; four managers editing every ~8 s: reshapes as three geometry writes, renames, recolours, new and deleted territories) written through LowdbStore as the room writes it, fetched over GET /api/plans/:id/history (view link), then replayed in this process with the browser's code (client/replay/session.ts, shared/history/timeline.ts).",
      tables: [
        {
          title: "The session and its history",
          columns: [
            "edits",
            "updates",
            "update bytes",
            "compactions",
            "history/ on disk",
            "plan files besides",
            "a year of daily sessions",
          ],
          rows: [
            [
              sim.edits,
              sim.updates.length,
              fmtBytes(updateBytes),
              compactions,
              fmtBytes(historyBytes),
              fmtBytes(planBytes),
              `${fmtBytes(data.yearBytes.capped)} kept (30 days); ${fmtBytes(data.yearBytes.uncapped)} uncapped`,
            ],
          ],
        },
        {
          title: "Opening the replay",
          columns: ["history fetched", "pages", "entries", "fetch", "decode", "open (decode + keyframes)", "keyframes"],
          rows: [
            [
              fmtBytes(fetched.bytes),
              fetched.pages,
              fetched.entries,
              `${fmt(fetched.ms)} ms`,
              `${fmt(decodeMs)} ms`,
              `${fmt(openMs)} ms`,
              timeline.keyframeCount,
            ],
          ],
        },
        {
          title: "Seeking and playing (bar: a seek ≤ 300 ms; 60× smooth)",
          columns: ["what", "n", "p50", "p95", "max"],
          rows: [
            [
              "seek to a random moment (keyframe + ≤ 200 updates)",
              seekMs.length,
              `${fmt(seek.p50)} ms`,
              `${fmt(seek.p95)} ms`,
              `${fmt(seek.max)} ms`,
            ],
            [
              "naive seek (every update from the start)",
              naiveMs.length,
              `${fmt(naive.p50)} ms`,
              `${fmt(naive.p95)} ms`,
              `${fmt(naive.max)} ms`,
            ],
            [
              "a 60× frame (one second of the session applied, geometries decoded)",
              frameMs.length,
              `${fmt(frame.p50, 3)} ms`,
              `${fmt(frame.p95, 3)} ms`,
              `${fmt(frame.max)} ms`,
            ],
          ],
        },
        ...browserTables,
      ],
      notes: [
        `Seek p50 ${fmt(seek.p50)} ms vs naive ${fmt(naive.p50)} ms: ${fmt(data.seekRatio, 1)}× faster; the worst seek ${fmt(seek.max)} ms (bar 300 ms: ${seek.max <= 300 ? "met" : "missed"}).`,
        `At 60× a frame applies at most ${busiest} updates; p99 ${fmt(frame.p99, 3)} ms, max ${fmt(frame.max)} ms of a 16.7 ms frame.`,
        "Seeks and frames above are measured in Node with the same code the browser runs; the Chromium table adds the map's binding and redraw.",
        ...(browserSkipped ? [`Chromium part skipped: ${browserSkipped}`] : []),
      ],
      data,
    };
  },
};
