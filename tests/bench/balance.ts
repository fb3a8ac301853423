/**
 * Auto-balance (issue 13's bars), in this process: shared/balance's
 * optimizer on
 *  - the demo plan (its ten territories over 3,832 hexagons, 6,000 accounts),
 *    balancing revenue with contiguity on, a 5 s budget: every territory
 *    within ±5 % (or the granularity bound), all in one piece, total border
 *    ≤ 1.5× the start's, mean Polsby–Popper no worse;
 *  - Java at H3 resolution 7 (~27,000 units) with 50,000 accounts and 100
 *    territories (a deliberately uneven start: each unit to the nearest of
 *    100 random seed units), a 30 s budget: within ±10 %;
 * beside three baselines in the same run: the start, what a quick script
 * gives (k-means on the accounts weighted by revenue, each unit to its
 * nearest centre), and the optimizer with boundary moves only (as it was
 * before spanning-tree recombination, `recombination: false`). For each:
 * max deviation, the plan's balance score (the unit analyzer's, all
 * metrics), mean Polsby–Popper, border, territories in pieces, accounts
 * moved.
 */
import * as Y from "yjs";
import { balance } from "../../shared/balance/optimizer.ts";
import { STEPS_PER_SECOND } from "../../shared/balance/plan.ts";
import { readUnitAssignment, territoryIds } from "../../shared/doc/schema.ts";
import { mulberry32 } from "../../shared/scoring/synthetic.ts";
import { type Account, AccountIndex } from "../../shared/scoring/accounts.ts";
import { UnitAnalyzer } from "../../shared/units/analyzer.ts";
import { coverH3, h3Layer, landMask } from "../../shared/units/h3-layer.ts";
import { contiguityGraph, type UnitLayer, unitIndex } from "../../shared/units/layer.ts";
import { locatePoints } from "../../shared/units/locate.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import { buildDemoTemplate } from "../../server/demo/seed.ts";
import { naturalEarthLand } from "../../server/units/land.ts";
import type { BenchContext, BenchResult, Benchmark } from "./lib/report.ts";
import { inputs } from "./units.ts";

interface Case {
  name: string;
  layer: UnitLayer;
  accounts: Account[];
  /** Each unit's slot at the start (-1: none). */
  start: Int32Array;
  territories: number;
  seconds: number;
  bar: number;
}

interface Row {
  plan: string;
  answer: string;
  ms: number | null;
  maxDeviation: number;
  score: number | null;
  meanPP: number;
  cut: number;
  pieces: number;
  moved: number;
  /** The optimizer's granularity bound (half the heaviest unit over a goal), on its rows. */
  granularity?: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** Revenue per unit, and accounts per unit. */
function perUnit(
  layer: UnitLayer,
  accounts: Account[],
): { revenue: Float64Array; count: Float64Array; where: Int32Array } {
  const n = layer.ids.length;
  const where = locatePoints(
    layer,
    Float64Array.from(accounts, (a) => a.lon),
    Float64Array.from(accounts, (a) => a.lat),
  );
  const revenue = new Float64Array(n);
  const count = new Float64Array(n);
  accounts.forEach((a, i) => {
    const u = where[i] as number;
    if (u < 0) return;
    revenue[u] = (revenue[u] as number) + ((a.attrs.revenue as number) || 0);
    count[u] = (count[u] as number) + 1;
  });
  return { revenue, count, where };
}

/** The figures of an assignment: revenue deviation, the analyzer's score and compactness, border, pieces. */
function measure(
  c: Case,
  owner: Int32Array,
  revenue: Float64Array,
  count: Float64Array,
): Omit<Row, "plan" | "answer" | "ms"> {
  const T = c.territories;
  const sums = new Float64Array(T);
  let total = 0;
  let moved = 0;
  owner.forEach((t, u) => {
    if (t < 0) return;
    sums[t] = (sums[t] as number) + (revenue[u] as number);
    total += revenue[u] as number;
    if (t !== c.start[u]) moved += count[u] as number;
  });
  let maxDeviation = 0;
  for (let t = 0; t < T; t++) maxDeviation = Math.max(maxDeviation, Math.abs((sums[t] as number) / (total / T) - 1));
  const a = new UnitAnalyzer(c.layer, new AccountIndex(c.accounts), null);
  for (let t = 0; t < T; t++) a.setTerritory({ id: `t${t}`, name: `T${t}`, targets: {} });
  const entries: [number, string][] = [];
  owner.forEach((t, u) => {
    if (t >= 0) entries.push([u, `t${t}`]);
  });
  a.assign(entries);
  const r = a.analyze();
  const meanPP = r.territories.reduce((s, t) => s + t.compactness, 0) / Math.max(1, r.territories.length);
  const pieces = r.territories.filter((t) => t.parts > 1).length;
  const { offsets, targets } = contiguityGraph(c.layer);
  let cut = 0;
  for (let u = 0; u < owner.length; u++) {
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      if (v > u && owner[v] !== owner[u]) cut++;
    }
  }
  return { maxDeviation, score: r.balance.score, meanPP, cut, pieces, moved };
}

/** k-means (Lloyd, 20 rounds) on the accounts weighted by revenue; each unit to its nearest centre. */
function kMeans(c: Case, seed: number): Int32Array {
  const rnd = mulberry32(seed);
  const pts = c.accounts;
  const k = c.territories;
  const cx = new Float64Array(k);
  const cy = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const p = pts[Math.floor(rnd() * pts.length)] as Account;
    cx[i] = p.lon;
    cy[i] = p.lat;
  }
  const nearest = (x: number, y: number): number => {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let i = 0; i < k; i++) {
      const d = (x - (cx[i] as number)) ** 2 + (y - (cy[i] as number)) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  };
  for (let round = 0; round < 20; round++) {
    const sx = new Float64Array(k);
    const sy = new Float64Array(k);
    const sw = new Float64Array(k);
    for (const p of pts) {
      const w = Math.max(1e-9, (p.attrs.revenue as number) || 0);
      const i = nearest(p.lon, p.lat);
      sx[i] = (sx[i] as number) + w * p.lon;
      sy[i] = (sy[i] as number) + w * p.lat;
      sw[i] = (sw[i] as number) + w;
    }
    for (let i = 0; i < k; i++) {
      if ((sw[i] as number) > 0) {
        cx[i] = (sx[i] as number) / (sw[i] as number);
        cy[i] = (sy[i] as number) / (sw[i] as number);
      }
    }
  }
  return Int32Array.from(c.start, (t, u) => (t < 0 ? -1 : nearest(c.layer.lon[u] as number, c.layer.lat[u] as number)));
}

async function demoCase(): Promise<Case> {
  const tpl = await buildDemoTemplate(await naturalEarthLand());
  const doc = new Y.Doc();
  Y.applyUpdate(doc, tpl.update);
  const layer = layerFromJson(tpl.units);
  const n = layer.ids.length;
  const ids = territoryIds(doc);
  const slot = new Map(ids.map((id, i) => [id, i]));
  const start = new Int32Array(n).fill(-1);
  for (const [key, t] of readUnitAssignment(doc)) start[unitIndex(key, n)] = slot.get(t) ?? -1;
  return {
    name: "Demo (10 territories, 3,832 units)",
    layer,
    accounts: tpl.accounts,
    start,
    territories: ids.length,
    seconds: 5,
    bar: 0.05,
  };
}

async function javaCase(quick: boolean): Promise<Case> {
  const input = await inputs({ accounts: quick ? 10_000 : 50_000 });
  const resolution = quick ? 6 : 7;
  const land = landMask(await naturalEarthLand(), [105, -9, 115, -5.5]);
  const cells = coverH3({
    areas: input.territories.map((t) => t.geometry),
    resolution,
    land,
    keep: input.accounts.map((a) => [a.lon, a.lat]),
  });
  const layer = h3Layer(cells, resolution, 1);
  const n = layer.ids.length;
  // An uneven start: each unit to the nearest of 100 random seed units (distinct, so none is left empty).
  const rnd = mulberry32(5);
  const T = 100;
  const seeds: number[] = [];
  while (seeds.length < T) {
    const s = Math.floor(rnd() * n);
    if (!seeds.includes(s)) seeds.push(s);
  }
  const start = Int32Array.from({ length: n }, (_, u) => {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    seeds.forEach((s, i) => {
      const d =
        ((layer.lon[u] as number) - (layer.lon[s] as number)) ** 2 +
        ((layer.lat[u] as number) - (layer.lat[s] as number)) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    return best;
  });
  return {
    name: `Java, H3 res ${resolution} (${n.toLocaleString("en-US")} units), ${input.accounts.length.toLocaleString("en-US")} accounts, 100 territories`,
    layer,
    accounts: input.accounts,
    start,
    territories: T,
    seconds: quick ? 5 : 30,
    bar: 0.1,
  };
}

async function runCase(c: Case, log: (m: string) => void): Promise<Row[]> {
  const { revenue, count } = perUnit(c.layer, c.accounts);
  const rows: Row[] = [{ plan: c.name, answer: "start", ms: null, ...measure(c, c.start, revenue, count) }];
  let t = performance.now();
  const km = kMeans(c, 1);
  rows.push({ plan: c.name, answer: "k-means script", ms: performance.now() - t, ...measure(c, km, revenue, count) });
  // Ours with three seeds, then boundary moves alone (the optimizer before recombination) as a baseline.
  const runs = [
    ...[1, 2, 3].map((seed) => ({ seed, recombination: true, answer: `optimizer, seed ${seed}` })),
    { seed: 1, recombination: false, answer: "boundary moves only (before recombination), seed 1" },
  ];
  for (const { seed, recombination, answer } of runs) {
    t = performance.now();
    const r = balance({
      graph: contiguityGraph(c.layer),
      start: c.start,
      territories: c.territories,
      metrics: [{ name: "revenue", weight: 1, values: revenue }],
      steps: c.seconds * STEPS_PER_SECOND,
      timeMs: c.seconds * 1000,
      seed,
      recombination,
    });
    const ms = performance.now() - t;
    log(
      `${c.name}: ${answer}: ${Math.round(ms)} ms, ${r.steps.toLocaleString("en-US")} steps (${r.ended}), max deviation ${pct(r.maxDeviation)}, granularity ${pct(r.granularity[0] ?? 0)}`,
    );
    rows.push({
      plan: c.name,
      answer: `${answer} (${r.ended})`,
      ms,
      ...measure(c, r.assignment, revenue, count),
      granularity: r.granularity[0] ?? 0,
    });
  }
  return rows;
}

export const balanceBench: Benchmark = {
  name: "balance",
  title: "Auto-balance: the optimizer on the demo and on Java at resolution 7",
  async run(ctx: BenchContext): Promise<BenchResult> {
    const cases = [await demoCase(), await javaCase(ctx.quick)];
    const rows: Row[] = [];
    for (const c of cases) rows.push(...(await runCase(c, ctx.log)));
    const notes: string[] = [];
    for (const c of cases) {
      const start = rows.find((r) => r.plan === c.name && r.answer === "start") as Row;
      const ours = rows.filter((r) => r.plan === c.name && r.answer.startsWith("optimizer"));
      const before = rows.find((r) => r.plan === c.name && r.answer.startsWith("boundary moves only"));
      const shapes = (r: Row) =>
        r.pieces <= start.pieces && r.cut <= 1.5 * start.cut && r.meanPP >= start.meanPP - 1e-9;
      const worst = Math.max(...ours.map((r) => r.maxDeviation));
      // The bar, or the granularity bound where that is wider (issue 13): said apart, so a bar met outright reads so.
      const bound = Math.max(...ours.map((r) => r.granularity ?? 0));
      const met = ours.every((r) => shapes(r) && r.maxDeviation <= c.bar);
      const metBound = !met && bound > c.bar && ours.every((r) => shapes(r) && r.maxDeviation <= bound);
      notes.push(
        `${c.name}: bar ±${c.bar * 100} % (granularity bound ${pct(bound)}) in ≤ ${c.seconds} s with every territory whole, border ≤ 1.5× and mean Polsby–Popper no worse than the start: **${met ? "met" : metBound ? "met within the granularity bound" : "missed"}** (worst of three seeds ${pct(worst)}; boundary moves alone, as before recombination: ${before ? pct(before.maxDeviation) : "–"}).`,
      );
    }
    return {
      name: "balance",
      title: this.title,
      description:
        "shared/balance/optimizer.ts in this process (tests/bench/balance.ts), balancing revenue with contiguity on and the default compactness (0.6), three seeds each, the server's step budget (4 million a second) and the time cap; the start, a quick k-means script's answer and the optimizer with boundary moves only (as it was before spanning-tree recombination) as baselines, measured the same way (revenue deviation from an equal share; the plan's balance score and Polsby–Popper from shared/units/analyzer.ts over every metric; border = unit edges between territories; moved = accounts whose territory changed).",
      tables: [
        {
          title: "Results",
          columns: [
            "plan",
            "answer",
            "time",
            "max revenue deviation",
            "balance score",
            "mean Polsby–Popper",
            "border (edges)",
            "territories in pieces",
            "accounts moved",
          ],
          rows: rows.map((r) => [
            r.plan,
            r.answer,
            r.ms === null ? "–" : `${Math.round(r.ms).toLocaleString("en-US")} ms`,
            pct(r.maxDeviation),
            r.score === null ? "–" : r.score.toFixed(0),
            r.meanPP.toFixed(3),
            r.cut.toLocaleString("en-US"),
            r.pieces,
            r.moved.toLocaleString("en-US"),
          ]),
        },
      ],
      notes,
      data: rows,
    };
  },
};

/** For experiments and tests: the pieces above. */
export const balanceBenchInternals = { demoCase, javaCase, perUnit, measure, kMeans };
