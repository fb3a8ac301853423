/**
 * Scoring benchmark (issue 3): 100 territories snapped edge to edge × 50,000
 * accounts, generated reproducibly (shared/scoring/synthetic.ts, seeded).
 *
 * Measures, each the median of several runs after a warm-up:
 * - full analysis: a fresh Analyzer, 100 × setTerritory, analyze() (metrics and issues);
 * - one territory changed: a shared vertex of a middle territory moved back and
 *   forth (0.02°, so every other edit overlaps the neighbour and the others
 *   open a gap), setTerritory + analyze();
 * - validation of one 1,000-vertex polygon: our self-intersection check
 *   against turf `kinks`;
 * - overlap detection over every pair of territories whose boxes meet: our
 *   segment tests against turf `intersect` on each pair;
 * - accounts: our kdbush + slab point-in-polygon stage against the naive loop,
 *   turf `booleanPointInPolygon` over every account for every territory.
 *
 * Standalone: `npx tsx tests/bench/scoring.ts` (BENCH_QUICK=1 for a smoke run).
 * Reports only, asserts nothing (the README's Benchmarks table says met or missed).
 */
import os from "node:os";
import { pathToFileURL } from "node:url";
import { booleanPointInPolygon, intersect, kinks } from "@turf/turf";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import { EdgeIndex } from "../../shared/geometry/edge-index.ts";
import { flatten } from "../../shared/geometry/flat.ts";
import { checkTopology } from "../../shared/geometry/kinks.ts";
import { detectOverlap } from "../../shared/geometry/overlap.ts";
import type { Position, Ring, TerritoryGeometry } from "../../shared/geometry/types.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import { Analyzer } from "../../shared/scoring/analyzer.ts";
import { type GridTerritory, mulberry32, snappedGrid, syntheticAccounts } from "../../shared/scoring/synthetic.ts";

export interface ScoringBenchResult {
  title: string;
  /** Markdown table. */
  table: string;
  results: unknown;
}

const SETTINGS = { allowedDeviation: 0.15 };

interface Stat {
  /** Wall-clock milliseconds: median, fastest, 90th percentile. */
  median: number;
  min: number;
  p90: number;
  /**
   * Median CPU time of this process (user + system) per run, ms. On a shared
   * machine the wall clock includes waiting for a core; CPU time is the work
   * itself (it also counts GC and JIT threads, so it can exceed the wall time).
   */
  cpuMedian: number;
  runs: number;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))] as number;
}

function measure(runs: number, warmup: number, fn: () => void): Stat {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return {
    median: quantile(wall, 0.5),
    min: quantile(wall, 0),
    p90: quantile(wall, 0.9),
    cpuMedian: quantile(cpu, 0.5),
    runs,
  };
}

const ms = (v: number) => (v >= 100 ? `${Math.round(v).toLocaleString("en-US")} ms` : `${v.toFixed(v < 1 ? 3 : 2)} ms`);
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(slow / fast >= 100 ? 0 : 1)}×`;

/** A 1,000-vertex irregular ring (simple), and the same with two vertices swapped (crossing itself). */
function thousandVertexPolygons(): { valid: TerritoryGeometry; invalid: TerritoryGeometry } {
  const rnd = mulberry32(5);
  const ring: Position[] = [];
  for (let i = 0; i < 1000; i++) {
    const a = (2 * Math.PI * i) / 1000;
    const r = 0.3 * (1 + 0.2 * Math.sin(7 * a) + 0.05 * rnd());
    ring.push([107 + r * Math.cos(a), -6 + r * Math.sin(a)]);
  }
  const bad = [...ring];
  [bad[100], bad[600]] = [bad[600] as Position, bad[100] as Position];
  return {
    valid: { type: "Polygon", coordinates: [[...ring, ring[0] as Position]] },
    invalid: { type: "Polygon", coordinates: [[...bad, bad[0] as Position]] },
  };
}

/** The vertex in the middle of territory `t`'s east side (shared with its east neighbour). */
function eastMiddleVertex(t: GridTerritory): number {
  const ring = t.geometry.coordinates[0] as Ring;
  const [, , maxX] = flatten(t.geometry).bbox;
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  const midY = ring.reduce((s, p) => s + p[1], 0) / ring.length;
  for (let k = 1; k < ring.length - 1; k++) {
    const p = ring[k] as Position;
    const score = -Math.abs(p[0] - maxX) * 10 - Math.abs(p[1] - midY);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

export async function run(opts: { quick: boolean }): Promise<ScoringBenchResult> {
  const quick = opts.quick;
  const runs = quick ? 3 : 9;
  const t0 = performance.now();
  const grid = snappedGrid({ cols: 10, rows: 10, seed: 1 });
  const accounts = syntheticAccounts({ count: 50_000, seed: 2 });
  const vertices = grid.reduce((s, t) => s + ((t.geometry.coordinates[0] as Ring).length - 1), 0);
  const loadBefore = os.loadavg()[0] as number;

  // Accounts index: built once per import.
  let index = new AccountIndex(accounts);
  const indexBuild = measure(runs, 1, () => {
    index = new AccountIndex(accounts);
  });

  // 1. Full analysis.
  let last = null as ReturnType<Analyzer["analyze"]> | null;
  const full = measure(runs, 2, () => {
    const analyzer = new Analyzer(index, SETTINGS);
    for (const t of grid) analyzer.setTerritory(t);
    last = analyzer.analyze();
  });
  const fullResult = last as unknown as ReturnType<Analyzer["analyze"]>;

  // 2. One territory changed: a shared vertex of t55 moved east (overlap) and back west (gap).
  const analyzer = new Analyzer(index, SETTINGS);
  for (const t of grid) analyzer.setTerritory(t);
  analyzer.analyze();
  const target = grid[55] as GridTerritory;
  const k = eastMiddleVertex(target);
  const base = target.geometry.coordinates[0] as Ring;
  let edit = 0;
  let overlapsSeen = 0;
  const oneEdit = () => {
    const ring = base.map((p) => [p[0], p[1]] as Position);
    const v = ring[k] as Position;
    v[0] += edit++ % 2 === 0 ? 0.02 : -0.02;
    analyzer.setTerritory({ ...target, geometry: { type: "Polygon", coordinates: [ring] } });
    const r = analyzer.analyze();
    if (r.issues.some((i) => i.kind === "overlap")) overlapsSeen++;
  };
  const incremental = measure(quick ? 11 : 41, 10, oneEdit);

  // 3. Validation of one 1,000-vertex polygon.
  const { valid, invalid } = thousandVertexPolygons();
  const oursKinks = measure(runs * 3, 5, () => checkTopology(flatten(valid)));
  const turfKinks = measure(runs, 2, () => kinks(valid as Polygon));
  const agree =
    checkTopology(flatten(invalid)).intersectionCount === kinks(invalid as Polygon).features.length &&
    checkTopology(flatten(valid)).valid &&
    kinks(valid as Polygon).features.length === 0;

  // 4. Overlap detection over every pair whose boxes meet.
  const flats = grid.map((t) => flatten(t.geometry));
  const pairs: [number, number][] = [];
  for (let i = 0; i < flats.length; i++) {
    for (let j = i + 1; j < flats.length; j++) {
      const a = (flats[i] as ReturnType<typeof flatten>).bbox;
      const b = (flats[j] as ReturnType<typeof flatten>).bbox;
      if (a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]) pairs.push([i, j]);
    }
  }
  let oursOverlapping = 0;
  const oursPairs = measure(runs, 2, () => {
    const idx = flats.map((f) => new EdgeIndex(f));
    oursOverlapping = 0;
    for (const [i, j] of pairs) if (detectOverlap(idx[i] as EdgeIndex, idx[j] as EdgeIndex).overlaps) oursOverlapping++;
  });
  const feature = (t: GridTerritory): Feature<Polygon | MultiPolygon> => ({
    type: "Feature",
    properties: {},
    geometry: t.geometry as Polygon,
  });
  const turfPairList = quick ? pairs.slice(0, 40) : pairs;
  let turfOverlapping = 0;
  const turfPairsSample = measure(quick ? 1 : 3, 0, () => {
    turfOverlapping = 0;
    for (const [i, j] of turfPairList) {
      const r = intersect({
        type: "FeatureCollection",
        features: [feature(grid[i] as GridTerritory), feature(grid[j] as GridTerritory)],
      });
      if (r) turfOverlapping++;
    }
  });
  const turfPairsScale = pairs.length / turfPairList.length;

  // 5. Accounts in territories: our stage (kdbush box query + slab point in polygon) against the naive loop.
  const { lon, lat } = index;
  let oursInside = 0;
  const oursPip = measure(runs, 2, () => {
    oursInside = 0;
    for (const f of flats) {
      const ei = new EdgeIndex(f);
      const [x0, y0, x1, y1] = f.bbox;
      const cand = index.range(x0, y0, x1, y1);
      for (let c = 0; c < cand.length; c++) {
        const a = cand[c] as number;
        if (ei.contains(lon[a] as number, lat[a] as number)) oursInside++;
      }
    }
  });
  const naiveTerritories = quick ? grid.slice(0, 5) : grid;
  const points = accounts.map((a) => [a.lon, a.lat] as Position);
  let naiveInside = 0;
  const naive = measure(quick ? 1 : 3, 0, () => {
    naiveInside = 0;
    for (const t of naiveTerritories) {
      for (const p of points) if (booleanPointInPolygon(p, t.geometry as Polygon)) naiveInside++;
    }
  });
  const naiveScale = grid.length / naiveTerritories.length;
  const naiveMedian = naive.median * naiveScale;
  const turfPairsMedian = turfPairsSample.median * turfPairsScale;
  const loadAfter = os.loadavg()[0] as number;

  const est = (scale: number) => (scale > 1 ? " (est.)" : "");
  const rows: string[][] = [
    [
      "Full analysis (metrics + issues), 100 territories × 50,000 accounts",
      ms(full.median),
      ms(full.cpuMedian),
      "≤ 100 ms",
      `the naive PIP loop alone takes ${ratio(naiveMedian, full.median)} longer`,
    ],
    [
      "One territory changed (shared vertex moved; overlap or gap each time)",
      ms(incremental.median),
      ms(incremental.cpuMedian),
      "≤ 10 ms",
      `p90 ${ms(incremental.p90)}; ${ratio(full.median, incremental.median)} faster than a full analysis`,
    ],
    [
      "Self-intersection check, 1,000-vertex polygon: ours",
      ms(oursKinks.median),
      ms(oursKinks.cpuMedian),
      "≤ 10 ms",
      `turf kinks ${ms(turfKinks.median)}: ${ratio(turfKinks.median, oursKinks.median)} faster`,
    ],
    [
      `Overlap detection, ${pairs.length} box-overlapping pairs: ours`,
      ms(oursPairs.median),
      ms(oursPairs.cpuMedian),
      "–",
      `turf intersect on each pair ${ms(turfPairsMedian)}${est(turfPairsScale)}: ${ratio(turfPairsMedian, oursPairs.median)} faster`,
    ],
    [
      "Accounts → territories: kdbush + slab point in polygon",
      ms(oursPip.median),
      ms(oursPip.cpuMedian),
      "–",
      `naive booleanPointInPolygon loop ${ms(naiveMedian)}${est(naiveScale)}: ${ratio(naiveMedian, oursPip.median)} faster`,
    ],
    [
      "Account index build (kdbush + columns), 50,000 accounts",
      ms(indexBuild.median),
      ms(indexBuild.cpuMedian),
      "once per import",
      "",
    ],
  ];
  const table = [
    "| measure | median (wall) | CPU time | target | compared |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

  const results = {
    quick,
    plan: {
      territories: grid.length,
      verticesPerTerritory: vertices / grid.length,
      accounts: accounts.length,
      boxOverlappingPairs: pairs.length,
    },
    fullAnalysisMs: full,
    oneTerritoryMs: incremental,
    oneTerritoryEdits: { edits: edit, withOverlap: overlapsSeen },
    selfIntersection1000: { oursMs: oursKinks, turfKinksMs: turfKinks, agree },
    overlapDetection: {
      oursMs: oursPairs,
      oursOverlappingPairs: oursOverlapping,
      turfIntersectMs: turfPairsMedian,
      turfIntersectSampledPairs: turfPairList.length,
      turfOverlappingPairs: turfOverlapping,
    },
    accountsInTerritories: {
      oursMs: oursPip,
      oursInside,
      naiveMs: naiveMedian,
      naiveSampledTerritories: naiveTerritories.length,
      naiveInside,
    },
    accountIndexBuildMs: indexBuild,
    fullAnalysis: {
      issues: fullResult.issues.length,
      overlaps: fullResult.issues.filter((i) => i.kind === "overlap").length,
      unassigned: fullResult.totals.unassigned,
      balanceScore: fullResult.balance.score,
    },
    loadAverage: { before: loadBefore, after: loadAfter },
    seconds: (performance.now() - t0) / 1000,
  };
  return {
    title: "Scoring: validation and balance, 100 territories × 50,000 accounts",
    table,
    results,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.env.BENCH_QUICK === "1" || process.env.BENCH_QUICK === "true";
  const r = await run({ quick });
  console.log(`## ${r.title}\n`);
  console.log(
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}${quick ? ", BENCH_QUICK" : ""}\n`,
  );
  console.log(r.table);
  console.log(`\n${JSON.stringify(r.results, null, 2)}`);
}
