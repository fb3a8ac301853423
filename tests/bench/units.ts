/**
 * Units benchmark (issue 12's server-side bars): Java's ten demo
 * territories covered with H3 hexagons at resolution 7 (about 27,000 land
 * units) and 50,000 demo accounts (server/demo/accounts.ts), each figure
 * beside the naive or stock way in the same run:
 *
 * 1. `POST /api/plans/:id/units {"kind":"h3","resolution":7,"area":"territories"}`
 *    on our real server (its own process, lowdb store, jobs and scoring
 *    workers): time to the 201, and to the first analysis frame at a socket
 *    in which the plan is a unit plan and every account is counted (bar
 *    ≤ 3 s). A fresh plan per round. In process: accounts placed in units by
 *    shared/units/locate.ts (latLngToCell, then a lookup) against turf
 *    `booleanPointInPolygon` over every unit's hexagon (sampled, scaled).
 * 2. A 50-unit paint stroke (one Yjs transaction writing 50 entries of the
 *    document's `units` map, sent over an edit socket as the client does)
 *    → the analysis that includes it at each of 10 other clients: p50 and
 *    p95 over 30 strokes (bar p50 ≤ 100 ms). In process: the same stroke on
 *    a UnitAnalyzer (assign + analyze) against a fresh one built and run
 *    from scratch.
 * 3. What the assignment entries add to the document (Y.encodeStateAsUpdate
 *    before and after the layer is made; bar ≤ 2 MB), against the same map
 *    keyed by the 15-character H3 index, built in a scratch Y.Doc.
 * 4. The outline of a 3,000-unit territory (UnitAnalyzer.outline: edge
 *    cancellation, shared/units/outline.ts; bar ≤ 50 ms) against turf
 *    `union` over its cells.
 *
 * Standalone: `BENCH_ONLY=units npm run bench` (BENCH_QUICK=1: resolution
 * 6, 5,000 accounts, fewer strokes). Reports only, asserts nothing
 * (tests/README.md and the README's "Benchmarks").
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { area as turfArea, booleanPointInPolygon, featureCollection, point, polygon, union } from "@turf/turf";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import { gridDisk } from "h3-js";
import * as Y from "yjs";
import { readUnitAssignment, readUnitsVersion, unitsMap, writeUnitAssignments } from "../../shared/doc/schema.ts";
import type { Position, TerritoryGeometry } from "../../shared/geometry/types.ts";
import { MessageType } from "../../shared/protocol/messages.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import { type Account, AccountIndex } from "../../shared/scoring/accounts.ts";
import { nearestOf } from "../../shared/scoring/issues.ts";
import { UnitAnalyzer } from "../../shared/units/analyzer.ts";
import { fromCompact, type UnitsCompactJson } from "../../shared/units/compact.ts";
import { assignByCentre } from "../../shared/units/convert.ts";
import { coverH3, h3Layer, landMask } from "../../shared/units/h3-layer.ts";
import { type UnitLayer, unitKey } from "../../shared/units/layer.ts";
import { locatePoints } from "../../shared/units/locate.ts";
import { layerFromJson, layerToJson } from "../../shared/units/serialize.ts";
import { demoAccounts, type Place } from "../../server/demo/accounts.ts";
import { naturalEarthLand } from "../../server/units/land.ts";
import {
  type BenchContext,
  type BenchResult,
  type Benchmark,
  fmt,
  fmtBytes,
  median,
  percentile,
  sleep,
  waitFor,
} from "./lib/report.ts";
import {
  api,
  type CreatedPlan,
  cpuTimeMs,
  createPlan,
  planSyncUrl,
  postJson,
  type RunningServer,
  startOurServer,
  tempDir,
} from "./lib/servers.ts";
import {
  captureEdit,
  connectMany,
  decodeAnalysisFrame,
  decodeUpdateMessage,
  SyncSocket,
  updateMessage,
} from "./lib/sync-socket.ts";
import { warmUp } from "./lib/warm.ts";

const DEMO_DIR = path.resolve(import.meta.dirname, "../../server/demo");

interface Config {
  resolution: number;
  accounts: number;
  /** Layers made over REST, each on a fresh plan of the same server. */
  layerRounds: number;
  receivers: number;
  warmupStrokes: number;
  strokes: number;
  strokeUnits: number;
  outlineUnits: number;
  outlineRuns: number;
  turfRuns: number;
  /** Accounts whose unit the naive loop looks for (the figure is scaled to all of them). */
  naiveSample: number;
}

const FULL: Config = {
  resolution: 7,
  accounts: 50_000,
  layerRounds: 3,
  receivers: 10,
  warmupStrokes: 3,
  strokes: 30,
  strokeUnits: 50,
  outlineUnits: 3_000,
  outlineRuns: 20,
  turfRuns: 3,
  naiveSample: 400,
};

const QUICK: Config = {
  resolution: 6,
  accounts: 5_000,
  layerRounds: 1,
  receivers: 3,
  warmupStrokes: 1,
  strokes: 8,
  strokeUnits: 50,
  outlineUnits: 500,
  outlineRuns: 5,
  turfRuns: 1,
  naiveSample: 100,
};

/** Bars from issue 12 (ms, bytes). */
const BAR_LAYER_MS = 3_000;
const BAR_STROKE_P50_MS = 100;
const BAR_DOC_BYTES = 2 * 1024 * 1024;
const BAR_OUTLINE_MS = 50;

/** The stroke moves units from FROM to TO and back; the outline's territory grows from CENTRE. */
const FROM = "jabodetabek";
const TO = "bandung-raya";
const OUTLINE_CENTRE: Position = [110.4, -7.0];

interface JavaTerritory {
  id: string;
  name: string;
  color: string;
  geometry: TerritoryGeometry;
}

interface Inputs {
  territories: JavaTerritory[];
  accounts: Account[];
  csv: string;
}

/** Java's demo territories and `cfg.accounts` demo accounts (also as CSV); shared with units-browser.ts. */
export async function inputs(cfg: Pick<Config, "accounts">): Promise<Inputs> {
  const fc = JSON.parse(await fs.readFile(path.join(DEMO_DIR, "java-territories.geojson"), "utf8")) as {
    features: { geometry: TerritoryGeometry; properties: { id: string; name: string; color: string } }[];
  };
  const territories = fc.features.map((f) => ({
    id: f.properties.id,
    name: f.properties.name,
    color: f.properties.color,
    geometry: f.geometry,
  }));
  const places = JSON.parse(await fs.readFile(path.join(DEMO_DIR, "java-cities.json"), "utf8")) as Place[];
  // On the territories' land, around real towns in proportion to population (as the demo's accounts are).
  const accounts = demoAccounts(
    places,
    territories.map((t) => t.geometry),
    cfg.accounts,
  );
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = ["id,name,lat,lon,revenue,potential,visits"];
  for (const a of accounts) {
    lines.push(
      `${a.id},${quote(a.name)},${a.lat.toFixed(6)},${a.lon.toFixed(6)},${a.attrs.revenue},${a.attrs.potential},${a.attrs.visits}`,
    );
  }
  return { territories, accounts, csv: `${lines.join("\n")}\n` };
}

// ── in process ─────────────────────────────────────────────────────────────

/** Median wall time of `runs` calls after `warmup` unmeasured ones, ms. */
function timeIt(runs: number, warmup: number, fn: () => void): { median: number; min: number; all: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    all.push(performance.now() - t);
  }
  return { median: median(all), min: Math.min(...all), all };
}

interface InProcess {
  layer: UnitLayer;
  landMs: number;
  coverMs: number;
  h3LayerMs: number;
  layerJsonBytes: number;
  layerFromJsonMs: number;
  locate: { median: number; min: number };
  locatedOutside: number;
  naive: { sampled: number; sampleMs: number; estimateMs: number; agree: number };
  fresh: { median: number; min: number };
  stroke: { median: number; p95: number };
  outline: {
    units: number;
    median: number;
    min: number;
    turfMedian: number;
    turfRuns: number;
    oursKm2: number;
    turfKm2: number;
    oursType: string;
    turfType: string;
    oursRings: number;
    turfRings: number;
  };
}

/** The pipeline a layer goes through on the server, piece by piece in this process, and the comparisons. */
async function inProcess(cfg: Config, input: Inputs, log: (m: string) => void): Promise<InProcess> {
  const shapes = input.territories.map((t) => t.geometry);
  let t = performance.now();
  const land = landMask(await naturalEarthLand(), [105, -9, 115, -5.5]);
  const landMs = performance.now() - t;
  t = performance.now();
  const ids = coverH3({
    areas: shapes,
    resolution: cfg.resolution,
    land,
    keep: input.accounts.map((a) => [a.lon, a.lat]),
  });
  const coverMs = performance.now() - t;
  log(`in process: ${ids.length.toLocaleString("en-US")} cells covered in ${fmt(coverMs)} ms; building the layer`);
  t = performance.now();
  const layer = h3Layer(ids, cfg.resolution, 1);
  const h3LayerMs = performance.now() - t;
  const json = layerToJson(layer);
  const layerJsonBytes = Buffer.byteLength(JSON.stringify(json));
  t = performance.now();
  layerFromJson(json);
  const layerFromJsonMs = performance.now() - t;
  log(`in process: layer built in ${fmt(h3LayerMs)} ms`);

  // Accounts → units: ours, and turf's point in polygon over every hexagon (first hit), on a sample.
  const lon = Float64Array.from(input.accounts, (a) => a.lon);
  const lat = Float64Array.from(input.accounts, (a) => a.lat);
  let where: Int32Array = new Int32Array(0);
  const locate = timeIt(5, 1, () => {
    where = locatePoints(layer, lon, lat);
  });
  const locatedOutside = where.filter((u) => u < 0).length;
  const hexagons = layer.geometries.map((g) => polygon((g as { coordinates: Position[][] }).coordinates));
  const step = Math.max(1, Math.floor(input.accounts.length / cfg.naiveSample));
  let sampled = 0;
  let agree = 0;
  t = performance.now();
  for (let a = 0; a < input.accounts.length; a += step) {
    const p = point([lon[a] as number, lat[a] as number]);
    let found = -1;
    for (let u = 0; u < hexagons.length; u++) {
      if (booleanPointInPolygon(p, hexagons[u] as Feature<Polygon>)) {
        found = u;
        break;
      }
    }
    sampled++;
    if (found === where[a]) agree++;
  }
  const sampleMs = performance.now() - t;
  const naive = { sampled, sampleMs, estimateMs: (sampleMs / sampled) * input.accounts.length, agree };
  log(`in process: naive placement of ${sampled} accounts took ${fmt(sampleMs)} ms`);

  // A stroke on a live UnitAnalyzer against a fresh one from scratch.
  const index = new AccountIndex(input.accounts);
  const assignment = assignByCentre(layer.lon, layer.lat, input.territories);
  const build = () => {
    const a = new UnitAnalyzer(layer, index, null);
    for (const tr of input.territories) a.setTerritory({ id: tr.id, name: tr.name, targets: {} });
    a.assign(assignment);
    return a;
  };
  const fresh = timeIt(5, 1, () => {
    build().analyze();
  });
  const live = build();
  live.analyze();
  const strokeUnits = borderUnits(layer, assignment, FROM, TO, cfg.strokeUnits);
  const strokes = timeIt(cfg.strokes, cfg.warmupStrokes, () => {
    const to = live.territoryOfUnit(strokeUnits[0] as number) === TO ? FROM : TO;
    live.assign(strokeUnits.map((u) => [u, to] as const));
    live.analyze();
  });

  // Outline of a compact territory of `outlineUnits` units around a centre.
  const members = blob(layer, OUTLINE_CENTRE, cfg.outlineUnits);
  const outliner = new UnitAnalyzer(layer, index, null);
  outliner.setTerritory({ id: "blob", name: "Blob", targets: {} });
  outliner.assign(members.map((u) => [u, "blob"] as const));
  let ours: TerritoryGeometry | null = null;
  const outline = timeIt(cfg.outlineRuns, 2, () => {
    ours = outliner.outline("blob");
  });
  log(`in process: outline of ${members.length} units in ${fmt(outline.median)} ms; turf union next`);
  const cells = featureCollection(members.map((u) => hexagons[u] as Feature<Polygon>));
  let theirs: Feature<Polygon | MultiPolygon> | null = null;
  const turf = timeIt(cfg.turfRuns, 0, () => {
    theirs = union(cells);
  });
  const oursG = ours as TerritoryGeometry | null;
  const theirsF = theirs as Feature<Polygon | MultiPolygon> | null;
  const rings = (g: TerritoryGeometry | Polygon | MultiPolygon | null | undefined) =>
    !g ? 0 : g.type === "Polygon" ? g.coordinates.length : g.coordinates.reduce((s, p) => s + p.length, 0);
  return {
    layer,
    landMs,
    coverMs,
    h3LayerMs,
    layerJsonBytes,
    layerFromJsonMs,
    locate,
    locatedOutside,
    naive,
    fresh,
    stroke: { median: strokes.median, p95: percentile(strokes.all, 95) },
    outline: {
      units: members.length,
      median: outline.median,
      min: outline.min,
      turfMedian: turf.median,
      turfRuns: cfg.turfRuns,
      oursKm2: oursG ? turfArea(oursG as Polygon | MultiPolygon) / 1e6 : Number.NaN,
      turfKm2: theirsF ? turfArea(theirsF) / 1e6 : Number.NaN,
      oursType: oursG?.type ?? "none",
      turfType: theirsF?.geometry.type ?? "none",
      oursRings: rings(oursG),
      turfRings: rings(theirsF?.geometry),
    },
  };
}

/**
 * `count` units of territory `from`, contiguous, starting at the first one
 * (in index order) that borders territory `to`: what a person painting
 * across a border would pick.
 */
function borderUnits(
  layer: Pick<UnitLayer, "offsets" | "targets">,
  owner: ReadonlyMap<number, string>,
  from: string,
  to: string,
  count: number,
): number[] {
  let start = -1;
  for (const [u, t] of [...owner].sort((a, b) => a[0] - b[0])) {
    if (t !== from) continue;
    for (let k = layer.offsets[u] as number; k < (layer.offsets[u + 1] as number); k++) {
      if (owner.get(layer.targets[k] as number) === to) {
        start = u;
        break;
      }
    }
    if (start >= 0) break;
  }
  if (start < 0) throw new Error(`no unit of ${from} borders ${to}`);
  const out = grow(layer, start, count, (v) => owner.get(v) === from);
  if (out.length < count) throw new Error(`only ${out.length} contiguous units of ${from} near ${to}`);
  return out;
}

/** The `count` units nearest (by neighbour steps) the unit whose centre is nearest `centre`. */
function blob(layer: UnitLayer, centre: Position, count: number): number[] {
  const start = nearestOf(layer.ids.keys(), layer.lon, layer.lat, centre[0], centre[1]) ?? 0;
  return grow(layer, start, count, () => true);
}

/** Up to `count` units reached from `start` by neighbour steps (nearest first), through the units `takes` accepts. */
function grow(
  layer: Pick<UnitLayer, "offsets" | "targets">,
  start: number,
  count: number,
  takes: (u: number) => boolean,
): number[] {
  const out = [start];
  const seen = new Set(out);
  for (let i = 0; i < out.length && out.length < count; i++) {
    const u = out[i] as number;
    for (let k = layer.offsets[u] as number; k < (layer.offsets[u + 1] as number) && out.length < count; k++) {
      const v = layer.targets[k] as number;
      if (!seen.has(v) && takes(v)) {
        seen.add(v);
        out.push(v);
      }
    }
  }
  return out;
}

// ── over the server ────────────────────────────────────────────────────────

/** Analysis frames a socket received, with their arrival times (decoded later, off the timed path). */
function recordFrames(sock: SyncSocket): { t: number; data: Buffer }[] {
  const frames: { t: number; data: Buffer }[] = [];
  sock.ws.on("message", (data: Buffer) => {
    if (data[0] === MessageType.analysis) frames.push({ t: performance.now(), data });
  });
  return frames;
}

interface LayerRound {
  round: number;
  units: number;
  assigned: number;
  unassignedUnits: number;
  /** POST …/units → 201, ms. */
  createdMs: number;
  /** POST …/units → the first analysis frame of the unit plan counting every account, ms. */
  analysisMs: number;
  /** The scoring worker's time for that analysis (computeMs), ms. */
  computeMs: number;
  accountsInTerritories: number;
  unassignedAccounts: number;
  /** Accounts in a unit, from the layer's own counts (GET …/units?format=compact). */
  accountsInUnits: number;
  /** Y.encodeStateAsUpdate of the document before and after the layer, bytes. */
  docBefore: number;
  docAfter: number;
  /** The same assignment in a scratch Y.Doc: keys as the plan has them (index, base 36), and as H3 indexes. */
  entriesIndexKeys: number;
  entriesH3Keys: number;
  importMs: number;
  serverCpuMs: number;
}

interface Live {
  plan: CreatedPlan;
  writer: SyncSocket;
  doc: Y.Doc;
  ids: string[];
}

/** Posts the demo's territories to the plan. */
export async function postTerritories(server: RunningServer, plan: CreatedPlan, input: Inputs): Promise<void> {
  const fc = {
    type: "FeatureCollection",
    features: input.territories.map((t) => ({
      type: "Feature",
      id: t.id,
      geometry: t.geometry,
      properties: { name: t.name, color: t.color },
    })),
  };
  const posted = await postJson(server, plan, "/territories", fc);
  if (posted.status !== 201) throw new Error(`POST territories: ${posted.status} ${posted.text.slice(0, 300)}`);
}

/** Entries of the units map alone, in a scratch document, with the given key per unit. */
function entriesBytes(assignment: ReadonlyMap<number, string>, key: (u: number) => string): number {
  const doc = new Y.Doc();
  doc.transact(() =>
    writeUnitAssignments(
      doc,
      [...assignment].map(([u, t]) => [key(u), t] as const),
    ),
  );
  const bytes = Y.encodeStateAsUpdate(doc).length;
  doc.destroy();
  return bytes;
}

async function layerRound(
  server: RunningServer,
  cfg: Config,
  input: Inputs,
  round: number,
  log: (m: string) => void,
): Promise<{ figures: LayerRound; live: Live }> {
  const plan = await createPlan(server, `Units bench ${round + 1}`);
  await postTerritories(server, plan, input);
  let t = performance.now();
  const imported = await postJson(server, plan, "/accounts", input.csv, "csv");
  const importMs = performance.now() - t;
  if (imported.status !== 201) throw new Error(`POST accounts: ${imported.status} ${imported.text.slice(0, 300)}`);

  const doc = new Y.Doc();
  const writer = await SyncSocket.connect(planSyncUrl(server, plan), doc);
  writer.record = false;
  writer.onUpdate = (bytes) => {
    Y.applyUpdate(doc, decodeUpdateMessage(bytes), "server");
  };
  const frames = recordFrames(writer);
  const cache = new Map<number, AnalysisMessage>();
  const decoded = (i: number) => {
    let a = cache.get(i);
    if (!a) {
      a = decodeAnalysisFrame(frames[i]?.data as Buffer) as AnalysisMessage;
      cache.set(i, a);
    }
    return a;
  };
  await waitFor(
    "the drawn plan's analysis with every account",
    () => frames.length > 0 && decoded(frames.length - 1).totals.accounts === input.accounts.length,
    60_000,
    20,
  );
  const docBefore = Y.encodeStateAsUpdate(doc).length;
  const seen = frames.length;
  const cpu0 = await cpuTimeMs(server.pid);

  t = performance.now();
  const made = await postJson(server, plan, "/units", { kind: "h3", resolution: cfg.resolution, area: "territories" });
  const createdMs = performance.now() - t;
  if (made.status !== 201) throw new Error(`POST units: ${made.status} ${made.text.slice(0, 300)}`);
  const body = JSON.parse(made.text) as { count: number; assigned: number; unassigned: number };
  let hit = -1;
  await waitFor(
    "the unit plan's analysis with every account",
    () => {
      for (let i = seen; i < frames.length; i++) {
        const a = decoded(i);
        const counted = a.territories.reduce((s, tr) => s + tr.accounts, 0) + a.totals.unassigned;
        if (a.territories.every((tr) => tr.units !== undefined) && counted === input.accounts.length) {
          hit = i;
          return true;
        }
      }
      return false;
    },
    120_000,
    5,
  );
  const first = frames[hit] as { t: number; data: Buffer };
  const analysisMs = first.t - t;
  const analysis = decoded(hit);
  const serverCpuMs = (await cpuTimeMs(server.pid)) - cpu0;
  log(
    `round ${round + 1}: ${body.count.toLocaleString("en-US")} units, 201 after ${fmt(createdMs)} ms, analysis after ${fmt(analysisMs)} ms`,
  );

  await waitFor(
    "the unit entries to reach the socket",
    () => readUnitsVersion(doc) > 0 && unitsMap(doc).size === body.assigned,
    30_000,
  );
  const docAfter = Y.encodeStateAsUpdate(doc).length;

  const res = await api(server, plan, `/api/plans/${plan.id}/units?format=compact`);
  if (res.status !== 200) throw new Error(`GET units: ${res.status}`);
  const compact = fromCompact((await res.json()) as UnitsCompactJson);
  const accountsInUnits = compact.accounts.reduce((s, n) => s + n, 0);
  const byIndex = new Map<number, string>();
  const keyIndex = new Map(compact.ids.map((_, u) => [unitKey(u), u]));
  for (const [key, territory] of readUnitAssignment(doc)) byIndex.set(keyIndex.get(key) as number, territory);

  return {
    figures: {
      round: round + 1,
      units: body.count,
      assigned: body.assigned,
      unassignedUnits: body.unassigned,
      createdMs,
      analysisMs,
      computeMs: analysis.computeMs,
      accountsInTerritories: analysis.territories.reduce((s, tr) => s + tr.accounts, 0),
      unassignedAccounts: analysis.totals.unassigned,
      accountsInUnits,
      docBefore,
      docAfter,
      entriesIndexKeys: entriesBytes(byIndex, unitKey),
      entriesH3Keys: entriesBytes(byIndex, (u) => compact.ids[u] as string),
      importMs,
      serverCpuMs,
    },
    live: { plan, writer, doc, ids: compact.ids },
  };
}

interface StrokeFigures {
  receivers: number;
  strokes: number;
  /** Send → the analysis including the stroke, each (stroke, receiver), ms. */
  perReceiver: number[];
  /** Send → the last receiver had it, per stroke, ms. */
  lastOfN: number[];
  lost: number;
  computeMs: number[];
  frameBytes: number[];
  updateBytes: number;
  serverCpuPerStrokeMs: number;
  refusals: string[];
}

/** Paints `cfg.strokeUnits` units of FROM into TO and back, `cfg.strokes` times, timing the analysis at each receiver. */
async function strokes(
  server: RunningServer,
  cfg: Config,
  live: Live,
  log: (m: string) => void,
): Promise<StrokeFigures> {
  const { doc, writer, ids } = live;
  const index = new Map(ids.map((id, i) => [id, i]));
  // Neighbours from H3 itself (the server's layer is the reference data; the document holds keys only).
  const lists = ids.map((id) =>
    gridDisk(id, 1).flatMap((n) => (n !== id && index.has(n) ? [index.get(n) as number] : [])),
  );
  const offsets = new Int32Array(ids.length + 1);
  lists.forEach((l, u) => {
    offsets[u + 1] = (offsets[u] as number) + l.length;
  });
  const targets = Int32Array.from(lists.flat());
  const owner = new Map<number, string>();
  for (const [key, t] of readUnitAssignment(doc)) owner.set(Number.parseInt(key, 36), t);
  const units = borderUnits({ offsets, targets }, owner, FROM, TO, cfg.strokeUnits);
  const toBase = [...owner.values()].filter((t) => t === TO).length;

  const receivers = await connectMany(planSyncUrl(server, live.plan), cfg.receivers);
  try {
    const frames = receivers.map(recordFrames);
    // Each receiver gets the current analysis on joining (often before the listener above): let it land.
    await waitFor("every receiver's first analysis", () => receivers.every((r) => r.analysisFrames > 0), 30_000);
    const total = cfg.warmupStrokes + cfg.strokes;
    const sends: { t: number; expect: number }[] = [];
    let updateBytes = 0;
    let cpu0 = Number.NaN;
    for (let i = 0; i < total; i++) {
      if (i === cfg.warmupStrokes) cpu0 = await cpuTimeMs(server.pid);
      const to = i % 2 === 0 ? TO : FROM;
      const edit = captureEdit(doc, () =>
        writeUnitAssignments(
          doc,
          units.map((u) => [unitKey(u), to] as const),
        ),
      );
      if (!edit) throw new Error(`stroke ${i} made no update`);
      const msg = updateMessage(edit.update);
      updateBytes = msg.length;
      const counts = frames.map((f) => f.length);
      const t = performance.now();
      writer.send(msg);
      sends.push({ t, expect: to === TO ? toBase + units.length : toBase });
      try {
        await waitFor(
          `stroke ${i}'s analysis at every receiver`,
          () => frames.every((f, r) => f.length > (counts[r] as number)),
          10_000,
          2,
        );
      } catch {
        // Counted as lost below.
      }
      // Room for a second, later analysis to land before the next stroke (a debounce that split one).
      await sleep(100);
    }
    const cpu1 = await cpuTimeMs(server.pid);

    // Decoding now that the timed part is over: which frame first counts each stroke?
    const perReceiver: number[] = [];
    const last = new Array<number>(cfg.strokes).fill(0);
    const computeMs: number[] = [];
    const frameBytes: number[] = [];
    let lost = 0;
    frames.forEach((list, r) => {
      const decoded = list.map((f) => ({
        t: f.t,
        bytes: f.data.length,
        a: decodeAnalysisFrame(f.data) as AnalysisMessage,
      }));
      for (let i = cfg.warmupStrokes; i < total; i++) {
        const s = sends[i] as { t: number; expect: number };
        const next = sends[i + 1]?.t ?? Number.POSITIVE_INFINITY;
        const f = decoded.find(
          (d) => d.t > s.t && d.t < next && d.a.territories.find((tr) => tr.id === TO)?.units === s.expect,
        );
        if (!f) {
          lost++;
          continue;
        }
        const dt = f.t - s.t;
        perReceiver.push(dt);
        const k = i - cfg.warmupStrokes;
        last[k] = Math.max(last[k] as number, dt);
        if (r === 0) {
          computeMs.push(f.a.computeMs);
          frameBytes.push(f.bytes);
        }
      }
    });
    log(`strokes: p50 ${fmt(median(perReceiver))} ms at each receiver, ${lost} lost`);
    return {
      receivers: cfg.receivers,
      strokes: cfg.strokes,
      perReceiver,
      lastOfN: last,
      lost,
      computeMs,
      frameBytes,
      updateBytes,
      serverCpuPerStrokeMs: (cpu1 - cpu0) / cfg.strokes,
      refusals: [...writer.refusals],
    };
  } finally {
    for (const r of receivers) r.close();
  }
}

// ── the benchmark ──────────────────────────────────────────────────────────

const ms = (v: number) => `${fmt(v)} ms`;
const ratio = (slow: number, fast: number) => `${fmt(slow / fast, 1)}×`;
const verdict = (ok: boolean) => (ok ? "met" : "**missed**");

async function run(ctx: BenchContext): Promise<BenchResult> {
  const cfg = ctx.quick ? QUICK : FULL;
  const loadBefore = os.loadavg();
  const input = await inputs(cfg);
  ctx.log(`${input.accounts.length.toLocaleString("en-US")} demo accounts generated; the layer in process first`);
  const local = await inProcess(cfg, input, ctx.log);

  const dataDir = await tempDir("units");
  const server = await startOurServer({ dataDir, profileDir: ctx.profileDir, env: { SCORING: "1" } });
  const rounds: LayerRound[] = [];
  let live: Live | null = null;
  let stroke: StrokeFigures;
  try {
    const warm = await warmUp(server);
    ctx.log(`server warmed up (${fmt(warm.cpuMs)} ms CPU)`);
    for (let r = 0; r < cfg.layerRounds; r++) {
      live?.writer.close();
      const got = await layerRound(server, cfg, input, r, ctx.log);
      rounds.push(got.figures);
      live = got.live;
    }
    stroke = await strokes(server, cfg, live as Live, ctx.log);
  } finally {
    live?.writer.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg();

  const last = rounds[rounds.length - 1] as LayerRound;
  const medianOf = (f: (r: LayerRound) => number) => median(rounds.map(f));
  const created = medianOf((r) => r.createdMs);
  const analysed = medianOf((r) => r.analysisMs);
  const p50 = median(stroke.perReceiver);
  const p95 = percentile(stroke.perReceiver, 95);
  const lastP50 = median(stroke.lastOfN);
  const lastP95 = percentile(stroke.lastOfN, 95);
  const added = last.docAfter - last.docBefore;
  const units = last.units;
  const n = input.accounts.length.toLocaleString("en-US");
  const u = units.toLocaleString("en-US");

  const summary = {
    title: "Issue 12's server-side bars, each beside the naive or stock way (same run)",
    columns: ["measure", "figure", "bar", "vs naive / stock (same run)", "ratio"],
    rows: [
      [
        `Layer made: POST …/units (H3 res ${cfg.resolution}, ${u} units, ${n} accounts) → 201`,
        `${ms(created)} (median of ${rounds.length})`,
        "–",
        "–",
        "–",
      ],
      [
        "… → first analysis at a socket with every account placed",
        `${ms(analysed)} (median of ${rounds.length}; first round ${ms((rounds[0] as LayerRound).analysisMs)})`,
        `≤ 3 s: ${verdict(analysed <= BAR_LAYER_MS)}`,
        "–",
        "–",
      ],
      [
        `Accounts → units in process: locatePoints (latLngToCell + lookup), ${n} accounts`,
        ms(local.locate.median),
        "–",
        `turf booleanPointInPolygon over each hexagon until a hit: ${ms(local.naive.estimateMs)} (scaled from ${local.naive.sampled} accounts)`,
        ratio(local.naive.estimateMs, local.locate.median),
      ],
      [
        `${cfg.strokeUnits}-unit stroke → new analysis at each of ${stroke.receivers} clients: p50 / p95`,
        `${ms(p50)} / ${ms(p95)} (every client: ${ms(lastP50)} / ${ms(lastP95)})`,
        `p50 ≤ 100 ms: ${verdict(lastP50 <= BAR_STROKE_P50_MS)}`,
        `fresh UnitAnalyzer (construct + assign ${last.assigned.toLocaleString("en-US")} + analyze) in process: ${ms(local.fresh.median)}, vs the same stroke incrementally in process: ${ms(local.stroke.median)}`,
        ratio(local.fresh.median, local.stroke.median),
      ],
      [
        `Document growth from the layer (${last.assigned.toLocaleString("en-US")} assignment entries)`,
        `${fmtBytes(added)} (${fmtBytes(last.docBefore)} → ${fmtBytes(last.docAfter)})`,
        `≤ 2 MB: ${verdict(added <= BAR_DOC_BYTES)}`,
        `the entries alone in a scratch Y.Doc: ${fmtBytes(last.entriesIndexKeys)} with index keys, ${fmtBytes(last.entriesH3Keys)} with 15-character H3 keys`,
        ratio(last.entriesH3Keys, last.entriesIndexKeys),
      ],
      [
        `Outline of a ${local.outline.units.toLocaleString("en-US")}-unit territory (UnitAnalyzer.outline: edge cancellation)`,
        ms(local.outline.median),
        `≤ 50 ms: ${verdict(local.outline.median <= BAR_OUTLINE_MS)}`,
        `turf union over its cells: ${ms(local.outline.turfMedian)} (median of ${local.outline.turfRuns})`,
        ratio(local.outline.turfMedian, local.outline.median),
      ],
    ],
  };

  const perRound = {
    title: "Layer creation over REST, per round (a fresh plan each; the server warmed up with a drawn plan first)",
    columns: [
      "round",
      "units (assigned / not)",
      "→ 201",
      "→ analysis",
      "worker computeMs",
      "server CPU",
      "accounts in units",
      "in territories / unassigned",
      "accounts import",
    ],
    rows: rounds.map((r) => [
      r.round,
      `${r.units.toLocaleString("en-US")} (${r.assigned.toLocaleString("en-US")} / ${r.unassignedUnits.toLocaleString("en-US")})`,
      ms(r.createdMs),
      ms(r.analysisMs),
      ms(r.computeMs),
      ms(r.serverCpuMs),
      `${r.accountsInUnits.toLocaleString("en-US")} of ${n}`,
      `${r.accountsInTerritories.toLocaleString("en-US")} / ${r.unassignedAccounts.toLocaleString("en-US")}`,
      ms(r.importMs),
    ]),
  };

  const pipeline = {
    title: "What the server does to make the layer, piece by piece in this process (one run each)",
    columns: ["step", "where on the server", "ms"],
    rows: [
      [
        "Natural Earth land read and masked to Java's box",
        "jobs worker (land read once per process)",
        fmt(local.landMs),
      ],
      [`coverH3 (polygonToCells, land mask, ${n} kept points)`, "jobs worker", fmt(local.coverMs)],
      ["h3Layer (shapes, areas, neighbours, shared edges, island bridges)", "jobs worker", fmt(local.h3LayerMs)],
      [
        `layerFromJson (stored layer JSON: ${fmtBytes(local.layerJsonBytes)})`,
        "scoring worker, on load",
        fmt(local.layerFromJsonMs),
      ],
      [
        "UnitAnalyzer from scratch: locate accounts, sums, assign, analyze",
        "scoring worker, on load",
        fmt(local.fresh.median),
      ],
    ],
  };

  const strokeTable = {
    title: `Paint strokes over the socket (${stroke.strokes} timed after ${cfg.warmupStrokes} warm-up, ${cfg.strokeUnits} units of ${FROM} to ${TO} and back)`,
    columns: ["measure", "p50", "p95", "max"],
    rows: [
      [
        `send → analysis at a client (${stroke.perReceiver.length} samples)`,
        fmt(p50),
        fmt(p95),
        fmt(Math.max(...stroke.perReceiver)),
      ],
      [
        `send → analysis at every one of ${stroke.receivers} clients`,
        fmt(lastP50),
        fmt(lastP95),
        fmt(Math.max(...stroke.lastOfN)),
      ],
      [
        "scoring worker's computeMs for the stroke's analysis",
        fmt(median(stroke.computeMs)),
        fmt(percentile(stroke.computeMs, 95)),
        fmt(Math.max(...stroke.computeMs)),
      ],
      ["in process: assign 50 + analyze on a live UnitAnalyzer", fmt(local.stroke.median), fmt(local.stroke.p95), "–"],
    ],
  };

  const o = local.outline;
  const notes = [
    `Machine load: 1-minute load average ${loadBefore[0]?.toFixed(2)} at the start and ${loadAfter[0]?.toFixed(2)} at the end (${os.cpus().length} cores); the figures include waiting for a core.`,
    `Layer: ${verdict(analysed <= BAR_LAYER_MS)} (${ms(analysed)} to an analysis counting all ${n} accounts; bar 3 s). Every account lies in a unit in ${rounds.every((r) => r.accountsInUnits === input.accounts.length) ? "every round" : "**not every round**"} (GET …/units?format=compact counts); ${last.unassignedAccounts.toLocaleString("en-US")} sit in coastal cells kept for them whose centre is in no territory, so they are in a unit but no territory (a gap issue, as issue 12 says).`,
    `Stroke: the time includes the scoring debounce (30 ms quiet, at most 200 ms), the worker's analysis and a frame of ${fmtBytes(median(stroke.frameBytes))} per client (the analysis carries every account's territory index whenever a stroke moves accounts). Server CPU ${fmt(stroke.serverCpuPerStrokeMs)} ms per stroke; stroke update message ${stroke.updateBytes} B; ${stroke.lost} (stroke, client) pairs lost; ${stroke.refusals.length} refusals.`,
    `Naive placement agreed with locatePoints on ${local.naive.agree} of ${local.naive.sampled} sampled accounts; ${local.locatedOutside} of ${n} accounts were in no unit in process.`,
    `Outline: ours a ${o.oursType} with ${o.oursRings} ring(s), ${fmt(o.oursKm2)} km²; turf union a ${o.turfType} with ${o.turfRings} ring(s), ${fmt(o.turfKm2)} km² (fastest of ours ${ms(o.min)}).`,
    `Document: growth measured on a client's copy (Y.encodeStateAsUpdate) before and after POST …/units; the conversion also deletes the ten drawn shapes, which Yjs keeps only as deletions.`,
  ];

  return {
    name: "units",
    title: `Units: Java at H3 resolution ${cfg.resolution} (${u} units), ${n} accounts`,
    description: `Java's ten demo territories (server/demo/java-territories.geojson) and ${n} demo accounts around real towns (server/demo/accounts.ts), imported over REST into our server (its own process, lowdb store in a temp DATA_DIR, jobs and scoring workers); the unit layer made with POST /api/plans/:id/units {"kind":"h3","resolution":${cfg.resolution},"area":"territories"}; strokes sent as Yjs updates over an edit socket, analyses timed at ${cfg.receivers} other raw sockets. In-process comparisons (tests/bench/units.ts) run in the bench's own process on the same inputs.`,
    tables: [summary, perRound, strokeTable, pipeline],
    notes,
    data: {
      config: cfg,
      loadAverage: { before: loadBefore, after: loadAfter },
      rounds,
      strokes: {
        ...stroke,
        perReceiverP50: p50,
        perReceiverP95: p95,
        lastOfNP50: lastP50,
        lastOfNP95: lastP95,
      },
      inProcess: { ...local, layer: undefined, units: local.layer.ids.length },
    },
  };
}

export const unitsBench: Benchmark = { name: "units", title: "Units (issue 12)", run };
