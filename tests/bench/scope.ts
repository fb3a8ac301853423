/**
 * Scoped edit links' cost (issue 15): what a scoped link's update costs the
 * server beyond the update check every edit pays, on a plan of 5,041
 * territories of 200 vertices (a 71 × 71 grid of snapped squares), half in
 * each of two regions, in this process.
 *
 * - the update check alone (`checkUpdate`) for one reshape;
 * - the same with the scope check (`checkScope`) inside the region, and at
 *   its edge, where the neighbours outside are tested for overlap;
 * - the box index of the whole plan, built once per loaded plan (in 8 ms
 *   slices on the server): from the stored bytes (`geometryBox`) and, for
 *   comparison, by decoding every geometry.
 *
 * Standalone: `npx tsx tests/bench/scope.ts`. Reports only, asserts nothing.
 */
import { pathToFileURL } from "node:url";
import * as Y from "yjs";
import { checkScope, compileScope } from "../../shared/access/scope.ts";
import { checkUpdate } from "../../shared/doc/check-update.ts";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  commentsMap,
  pinsMap,
  planMap,
  TERRITORY_KEYS,
  territoriesMap,
  unitsMap,
  updateTerritory,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import { BoxGrid, boxOf } from "../../shared/geometry/box-grid.ts";
import { decodeGeometry, geometryBox } from "../../shared/geometry/codec.ts";
import type { Position, TerritoryGeometry } from "../../shared/geometry/types.ts";
import { remoteEdit } from "../fixtures/remote-edit.ts";
import type { Benchmark, BenchResult } from "./lib/report.ts";
import { percentileSorted } from "./lib/report.ts";

const SIDE = 71;
const SIZE = 0.05;
const VERTICES = 200;

/** A square cell with VERTICES positions along its edges, so neighbours share every vertex. */
function cell(i: number, j: number, shift = 0): TerritoryGeometry {
  const x0 = 106 + i * SIZE + shift;
  const y0 = -7 + j * SIZE + shift;
  const per = VERTICES / 4;
  const ring: Position[] = [];
  const q = (v: number) => Math.round(v * 1e7) / 1e7;
  for (let k = 0; k < per; k++) ring.push([q(x0 + (SIZE * k) / per), q(y0)]);
  for (let k = 0; k < per; k++) ring.push([q(x0 + SIZE), q(y0 + (SIZE * k) / per)]);
  for (let k = 0; k < per; k++) ring.push([q(x0 + SIZE - (SIZE * k) / per), q(y0 + SIZE)]);
  for (let k = 0; k < per; k++) ring.push([q(x0), q(y0 + SIZE - (SIZE * k) / per)]);
  ring.push(ring[0] as Position);
  return { type: "Polygon", coordinates: [ring] };
}

function plan(): Y.Doc {
  const doc = new Y.Doc();
  for (const root of [planMap, territoriesMap, pinsMap, commentsMap, unitsMap]) root(doc);
  transact(doc, LOCAL_EDIT, () => {
    for (let i = 0; i < SIDE; i++) {
      for (let j = 0; j < SIDE; j++) {
        writeTerritory(doc, {
          id: `t${i}_${j}`,
          name: `T ${i}.${j}`,
          color: "#1b9e77",
          reps: [],
          targets: {},
          parent: i < SIDE / 2 ? "west" : "east",
          geometry: cell(i, j),
        });
      }
    }
  });
  return doc;
}

function time(fn: () => void, runs: number): { p50: number; p99: number } {
  for (let i = 0; i < Math.min(20, runs); i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return { p50: percentileSorted(xs, 50), p99: percentileSorted(xs, 99) };
}

export async function runScope(quick = false): Promise<BenchResult> {
  const doc = plan();
  const geometryBytes = (id: string) => territoriesMap(doc).get(id)?.get(TERRITORY_KEYS.geometry) as Uint8Array;
  const gridRuns = quick ? 1 : 3;
  const fromBytes: number[] = [];
  const decoding: number[] = [];
  let grid = new BoxGrid();
  for (let r = 0; r < gridRuns; r++) {
    let t0 = performance.now();
    const g = new BoxGrid();
    territoriesMap(doc).forEach((_, id) => {
      g.set(id, geometryBox(geometryBytes(id)));
    });
    fromBytes.push(performance.now() - t0);
    grid = g;
    t0 = performance.now();
    const d = new BoxGrid();
    territoriesMap(doc).forEach((_, id) => {
      d.set(id, boxOf(decodeGeometry(geometryBytes(id)).coordinates));
    });
    decoding.push(performance.now() - t0);
  }
  const ctx = {
    near: (b: [number, number, number, number]) => grid.near(b),
    geometryOf: (id: string) => decodeGeometry(geometryBytes(id)),
  };
  const scope = compileScope({ parent: "west" });
  const reshape = (id: string, i: number, j: number) =>
    remoteEdit(doc, (c) => transact(c, LOCAL_EDIT, () => updateTerritory(c, id, { geometry: cell(i, j, 0.001) })));
  const inside = reshape("t10_10", 10, 10);
  const edge = reshape("t35_10", 35, 10);
  const runs = quick ? 50 : 500;
  const alone = time(() => {
    checkUpdate(doc, inside);
  }, runs);
  const scopedInside = time(() => {
    const v = checkUpdate(doc, inside);
    if (v.ok) checkScope(doc, v.footprint, scope, ctx);
  }, runs);
  let edgeVerdict = "";
  const scopedEdge = time(() => {
    const v = checkUpdate(doc, edge);
    if (v.ok) edgeVerdict = JSON.stringify(checkScope(doc, v.footprint, scope, ctx)).slice(0, 60);
  }, runs);
  const ms = (v: number) => v.toFixed(3);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
  return {
    name: "scope",
    title: "Scoped edit links: the scope check's cost per update (issue 15)",
    description: `${SIDE * SIDE} territories of ${VERTICES} vertices in two regions; a reshape of one territory (${VERTICES} vertices), ${runs} runs each, in this process (tests/bench/scope.ts).`,
    tables: [
      {
        title: "Per update",
        columns: ["check", "p50 ms", "p99 ms"],
        rows: [
          ["update check alone (checkUpdate)", ms(alone.p50), ms(alone.p99)],
          ["+ scope check, inside the region", ms(scopedInside.p50), ms(scopedInside.p99)],
          ["+ scope check, at the region's edge (neighbours outside tested)", ms(scopedEdge.p50), ms(scopedEdge.p99)],
        ],
      },
      {
        title: "Box index of the whole plan (once per loaded plan, in 8 ms slices on the server)",
        columns: ["built", "median ms"],
        rows: [
          ["from the stored bytes (geometryBox)", median(fromBytes).toFixed(1)],
          ["by decoding every geometry", median(decoding).toFixed(1)],
        ],
      },
    ],
    notes: [`The edge reshape overlaps its neighbours outside: ${edgeVerdict}…`],
    data: { alone, scopedInside, scopedEdge, gridFromBytesMs: fromBytes, gridDecodingMs: decoding },
  };
}

export const scopeBench: Benchmark = {
  name: "scope",
  title: "Scoped edit links",
  run: (ctx) => runScope(ctx.quick),
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const r = await runScope(process.env.BENCH_QUICK === "1");
  console.log(`${r.title}\n${r.description}`);
  for (const t of r.tables) {
    console.log(`\n${t.title}`);
    for (const row of t.rows) console.log(`  ${row.join("  |  ")}`);
  }
  for (const n of r.notes) console.log(`\n${n}`);
}
