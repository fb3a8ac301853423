import type { Territory } from "../doc/territory.ts";
import { areaM2, perimeterM, polsbyPopper } from "../geometry/area.ts";
import { EdgeIndex } from "../geometry/edge-index.ts";
import { type FlatGeometry, flatten, partCount, sameFlat, unflatten, vertexCount } from "../geometry/flat.ts";
import { checkTopology, type TopologyReport } from "../geometry/kinks.ts";
import { interiorPoint, smallestPart } from "../geometry/label.ts";
import { detectOverlap, OVERLAP_TOLERANCE_DEG, overlapGeometry } from "../geometry/overlap.ts";
import type { Position, TerritoryGeometry } from "../geometry/types.ts";
import type { AccountIndex } from "./accounts.ts";
import { type BalanceRow, type Coverage, computeBalance, type RowBalance } from "./balance.ts";
import {
  compareIssues,
  deviationIssues,
  disconnectedIssue,
  invalidGeometryIssue,
  overlapIssue,
  unassignedIssueOf,
} from "./issues.ts";
import {
  ACCOUNT_ID_CAP,
  type Analysis,
  type AnalysisSettings,
  type BBox,
  type Issue,
  type MetricName,
  type TerritoryMetrics,
} from "./types.ts";

/** What the analysis needs of a territory (a whole {@link Territory} will do). */
export type ScoredTerritory = Pick<Territory, "id" | "name" | "targets" | "geometry">;

/** Everything that depends only on a territory's geometry (and the accounts). */
interface Shape {
  index: EdgeIndex;
  topology: TopologyReport;
  areaKm2: number;
  perimeterKm: number;
  compactness: number;
  parts: number;
  vertices: number;
  at: Position;
  /** Where the smallest part is (for the disconnected issue). */
  strayAt: Position;
  bbox: BBox;
  /** Numbers of the accounts inside, ascending. */
  contained: Int32Array;
}

interface State {
  id: string;
  name: string;
  targets: Record<string, number>;
  flat: FlatGeometry;
  /** Null until analyze() computes it after a geometry change. */
  shape: Shape | null;
  /** Slot in the per-account containment bookkeeping. */
  slot: number;
  /** Keys of the pairs (in `pairs`) with a territory whose box meets this one's. */
  pairKeys: Set<string>;
  accounts: number;
  sums: Float64Array;
  sumsDirty: boolean;
}

/** Two territories whose boxes meet; `a` < `b` by id. */
interface Pair {
  a: string;
  b: string;
  overlaps: boolean;
  geometry: TerritoryGeometry | null;
  areaKm2: number;
  at: Position;
  bbox: BBox;
  /** Accounts inside both, ascending, whether or not the pair overlaps (pins are applied when used). */
  shared: Int32Array;
}

/**
 * Incremental validation and balance scoring of a plan.
 *
 * Feed it the territories (and any manual pins) as they change, call
 * {@link Analyzer.analyze} when you want results: it recomputes only what
 * changed since the last call — for each territory whose geometry changed,
 * its topology check, area, perimeter, accounts (kdbush box query, then
 * point-in-polygon over its slab index) and its overlap tests with the
 * territories whose boxes meet its own — and then the cheap plan-wide parts
 * (means, deviations, score, issue list, unassigned accounts) from cached
 * per-territory and per-pair results. Per-account containment counts are
 * kept up to date as territories come and go, so unassigned and conflicting
 * accounts need no geometry.
 *
 * The result is a plain, structured-clone-friendly object (one Int32Array),
 * and it is the same, bit for bit, as a fresh Analyzer's given the same
 * territories, pins and settings: every sum runs in a fixed order.
 *
 * Not thread-safe, no I/O: run it where the plan lives, or in a worker fed
 * with the same calls.
 *
 * @example
 * const analyzer = new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
 * for (const t of territories) analyzer.setTerritory(t);
 * const first = analyzer.analyze();   // everything
 * analyzer.setTerritory(reshaped);
 * const next = analyzer.analyze();    // only `reshaped` and its neighbours
 */
export class Analyzer {
  readonly accounts: AccountIndex;
  private settings: AnalysisSettings;
  private tol: number;
  private readonly attrNames: string[];
  private readonly columns: Float64Array[];
  /** Each column's sum over every account, in a territory or not (the coverage's whole; blanks skipped). */
  private readonly wholeSums: Float64Array;
  private readonly states = new Map<string, State>();
  private readonly pairs = new Map<string, Pair>();
  /** Per account: how many territories contain it, and the XOR of their slots + 1 (the owner when the count is 1). */
  private readonly count: Int32Array;
  private readonly slotXor: Int32Array;
  private readonly slotIds: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Pins as given (account id → territory id), and resolved to account number → slot (-1: none). */
  private pins: ReadonlyMap<string, string> = new Map();
  private readonly pinSlot: Int32Array;
  private pinnedBySlot = new Map<number, number[]>();
  private pinsDirty = false;
  private sortedIds: string[] | null = [];
  /** Scratch marks for set unions over accounts (see sharedCount). */
  private readonly stamps: Int32Array;
  private stampValue = 0;

  constructor(accounts: AccountIndex, settings: AnalysisSettings = { allowedDeviation: 0.15 }) {
    this.accounts = accounts;
    this.settings = { ...settings };
    this.tol = settings.touchTolerance ?? OVERLAP_TOLERANCE_DEG;
    this.attrNames = accounts.metricNames();
    this.columns = this.attrNames.map((m) => accounts.column(m) as Float64Array);
    this.wholeSums = new Float64Array(this.columns.length);
    for (let c = 0; c < this.columns.length; c++) {
      const col = this.columns[c] as Float64Array;
      let sum = 0;
      for (let a = 0; a < col.length; a++) {
        const v = col[a] as number;
        if (!Number.isNaN(v)) sum += v; // NaN is a blank cell: a missing value, not 0
      }
      this.wholeSums[c] = sum;
    }
    this.count = new Int32Array(accounts.size);
    this.slotXor = new Int32Array(accounts.size);
    this.pinSlot = new Int32Array(accounts.size).fill(-1);
    this.stamps = new Int32Array(accounts.size);
  }

  /**
   * Adds or replaces a territory. Cheap: the work happens in analyze(), and
   * only if the geometry changed (a rename or new targets costs nothing
   * there but the plan-wide pass). The territory is not kept: mutate yours freely.
   */
  setTerritory(t: ScoredTerritory): void {
    const flat = flatten(t.geometry);
    const old = this.states.get(t.id);
    if (old) {
      old.name = t.name;
      old.targets = { ...t.targets };
      if (sameFlat(old.flat, flat)) return;
      this.dropShape(old);
      old.flat = flat;
      return;
    }
    const slot = this.freeSlots.pop() ?? this.slotIds.length;
    this.slotIds[slot] = t.id;
    this.states.set(t.id, {
      id: t.id,
      name: t.name,
      targets: { ...t.targets },
      flat,
      shape: null,
      slot,
      pairKeys: new Set(),
      accounts: 0,
      sums: new Float64Array(this.columns.length),
      sumsDirty: true,
    });
    this.sortedIds = null;
    if (this.pins.size > 0) this.pinsDirty = true;
  }

  /** Removes a territory (no-op when unknown). */
  removeTerritory(id: string): void {
    const s = this.states.get(id);
    if (!s) return;
    this.dropShape(s);
    this.states.delete(id);
    this.slotIds[s.slot] = undefined;
    this.freeSlots.push(s.slot);
    this.sortedIds = null;
    if (this.pins.size > 0) this.pinsDirty = true;
  }

  /**
   * Manual pins (account id → territory id): a pinned account belongs to
   * that territory only, wherever it lies. Pins naming an unknown account or
   * territory are ignored (the account falls back to containment).
   */
  setPins(pins: ReadonlyMap<string, string>): void {
    this.pins = new Map(pins);
    this.pinsDirty = true;
  }

  /** Changes the settings; a new touch tolerance recomputes every territory's geometry. */
  setSettings(settings: AnalysisSettings): void {
    const tol = settings.touchTolerance ?? OVERLAP_TOLERANCE_DEG;
    this.settings = { ...settings };
    if (tol !== this.tol) {
      this.tol = tol;
      for (const s of this.states.values()) this.dropShape(s);
    }
  }

  /** Ids of the territories an account is counted in (by id or account number), sorted. */
  territoriesOfAccount(account: string | number): string[] {
    const a = typeof account === "number" ? account : this.accounts.indexOf(account);
    if (a === undefined || a < 0 || a >= this.accounts.size) return [];
    if (this.pinsDirty) this.resolvePins();
    const pinned = this.pinSlot[a] as number;
    if (pinned >= 0) return [this.slotIds[pinned] as string];
    const out: string[] = [];
    for (const s of this.states.values()) {
      if (s.shape && binarySearch(s.shape.contained, a)) out.push(s.id);
    }
    return out.sort();
  }

  /** Recomputes what changed since the last call and returns the whole analysis. */
  analyze(): Analysis {
    const ids = this.ids();
    // 1. Geometry of changed territories: topology, measures, contained accounts.
    const changed: State[] = [];
    for (const id of ids) {
      const s = this.states.get(id) as State;
      if (!s.shape) {
        s.shape = this.computeShape(s);
        s.sumsDirty = true;
        changed.push(s);
      }
    }
    // 2. Pairs involving a changed territory.
    const changedIds = new Set(changed.map((s) => s.id));
    for (const s of changed) {
      for (const other of this.states.values()) {
        if (other === s) continue;
        if (changedIds.has(other.id) && other.id < s.id) continue; // done from `other`'s side
        if (!boxesMeet((s.shape as Shape).bbox, (other.shape as Shape).bbox, this.tol)) continue;
        const [a, b] = s.id < other.id ? [s, other] : [other, s];
        const key = pairKey(a.id, b.id);
        this.pairs.set(key, this.computePair(a, b));
        a.pairKeys.add(key);
        b.pairKeys.add(key);
      }
    }
    // 3. Pins, then the sums of the territories whose accounts changed.
    if (this.pinsDirty) this.resolvePins();
    for (const id of ids) {
      const s = this.states.get(id) as State;
      if (s.sumsDirty) this.computeSums(s);
    }
    return this.result(ids);
  }

  private ids(): string[] {
    if (!this.sortedIds) this.sortedIds = [...this.states.keys()].sort();
    return this.sortedIds;
  }

  /** Forgets a territory's geometry results: its accounts leave the counts, its pairs go. */
  private dropShape(s: State): void {
    if (s.shape) {
      const { contained } = s.shape;
      const mark = s.slot + 1;
      for (let k = 0; k < contained.length; k++) {
        const a = contained[k] as number;
        this.count[a]--;
        this.slotXor[a] ^= mark;
      }
      s.shape = null;
    }
    for (const key of s.pairKeys) {
      const p = this.pairs.get(key);
      if (p) this.states.get(p.a === s.id ? p.b : p.a)?.pairKeys.delete(key);
      this.pairs.delete(key);
    }
    s.pairKeys.clear();
    s.sumsDirty = true;
  }

  private computeShape(s: State): Shape {
    const flat = s.flat;
    const index = new EdgeIndex(flat, this.tol);
    const topology = checkTopology(flat, index);
    const area = areaM2(flat);
    const perimeter = perimeterM(flat);
    const parts = partCount(flat);
    const bbox = [...flat.bbox] as BBox;
    // Accounts: a box query on the kd-tree, then point in polygon on the slab index.
    const { lon, lat } = this.accounts;
    const candidates = this.accounts.range(bbox[0], bbox[1], bbox[2], bbox[3]);
    const inside = new Int32Array(candidates.length);
    let n = 0;
    for (let k = 0; k < candidates.length; k++) {
      const a = candidates[k] as number;
      if (index.contains(lon[a] as number, lat[a] as number)) inside[n++] = a;
    }
    const contained = inside.slice(0, n).sort();
    const mark = s.slot + 1;
    for (let k = 0; k < n; k++) {
      const a = contained[k] as number;
      this.count[a]++;
      this.slotXor[a] ^= mark;
    }
    return {
      index,
      topology,
      areaKm2: area / 1e6,
      perimeterKm: perimeter / 1e3,
      compactness: polsbyPopper(area, perimeter),
      parts,
      vertices: vertexCount(flat),
      at: interiorPoint(flat),
      strayAt: parts > 1 ? interiorPoint(flat, smallestPart(flat)) : interiorPoint(flat),
      bbox,
      contained,
    };
  }

  private computePair(a: State, b: State): Pair {
    const sa = a.shape as Shape;
    const sb = b.shape as Shape;
    const w = detectOverlap(sa.index, sb.index, this.tol);
    const shared = intersectSorted(sa.contained, sb.contained);
    if (!w.overlaps) {
      return { a: a.id, b: b.id, overlaps: false, geometry: null, areaKm2: 0, at: [0, 0], bbox: [0, 0, 0, 0], shared };
    }
    const geometry = overlapGeometry(unflatten(a.flat), unflatten(b.flat), w.box);
    const gf = geometry ? flatten(geometry) : null;
    const at = gf ? interiorPoint(gf) : (w.at as Position);
    const box = gf ? ([...gf.bbox] as BBox) : (w.box as BBox);
    return {
      a: a.id,
      b: b.id,
      overlaps: true,
      geometry,
      areaKm2: gf ? areaM2(gf) / 1e6 : 0,
      at,
      bbox: box,
      shared,
    };
  }

  private resolvePins(): void {
    this.pinsDirty = false;
    const next = new Int32Array(this.accounts.size).fill(-1);
    for (const [accountId, territoryId] of this.pins) {
      const a = this.accounts.indexOf(accountId);
      const s = this.states.get(territoryId);
      if (a !== undefined && s) next[a] = s.slot;
    }
    let changed = false;
    for (let a = 0; a < next.length; a++) {
      if (next[a] !== this.pinSlot[a]) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.pinSlot.set(next);
    this.pinnedBySlot = new Map();
    for (let a = 0; a < next.length; a++) {
      const slot = next[a] as number;
      if (slot < 0) continue;
      const list = this.pinnedBySlot.get(slot);
      if (list) list.push(a);
      else this.pinnedBySlot.set(slot, [a]);
    }
    // Pins move accounts between territories wherever they lie: recount every territory (≈ one pass over the accounts).
    for (const s of this.states.values()) s.sumsDirty = true;
  }

  private computeSums(s: State): void {
    const sums = new Float64Array(this.columns.length);
    const cols = this.columns;
    const pinSlot = this.pinSlot;
    let n = 0;
    const contained = (s.shape as Shape).contained;
    for (let k = 0; k < contained.length; k++) {
      const a = contained[k] as number;
      if ((pinSlot[a] as number) >= 0) continue; // pinned: counted where it is pinned
      n++;
      addAccount(sums, cols, a);
    }
    for (const a of this.pinnedBySlot.get(s.slot) ?? []) {
      n++;
      addAccount(sums, cols, a);
    }
    s.accounts = n;
    s.sums = sums;
    s.sumsDirty = false;
  }

  /** The plan-wide pass: cheap, from cached per-territory and per-pair results. */
  private result(ids: string[]): Analysis {
    const allowed = this.settings.allowedDeviation;
    const states = ids.map((id) => this.states.get(id) as State);
    const metrics = this.balanceMetrics();
    const { accountTerritory, unassigned, overlapping } = this.assignAccounts(states);
    const { rows, balance, rowBalance } = this.balanceOf(states, metrics, unassigned);
    const territories = states.map((s, i) =>
      this.territoryMetrics(s, rowBalance[i] as RowBalance, overlapping.length > 0),
    );
    const issues: Issue[] = [
      ...this.geometryIssues(states),
      ...this.overlapIssues(),
      ...(unassigned.length > 0 ? [unassignedIssueOf(this.accounts, unassigned)] : []),
      ...deviationIssues(
        states.map((s) => ({ id: s.id, name: s.name, at: (s.shape as Shape).at, bbox: (s.shape as Shape).bbox })),
        rows.map((r) => r.values),
        rowBalance,
        metrics,
        allowed,
      ),
    ];
    issues.sort(compareIssues);

    const accountIds = this.accounts.ids;
    return {
      territories,
      balance,
      issues,
      unassignedAccountIds: unassigned.map((a) => accountIds[a] as string),
      overlapAccountIds: overlapping.map((a) => accountIds[a] as string),
      accountTerritory,
      totals: {
        territories: states.length,
        accounts: this.accounts.size,
        unassigned: unassigned.length,
        overlapping: overlapping.length,
      },
    };
  }

  /** The metrics balanced: the settings' choice of those known (accounts, area, attributes), each once. */
  private balanceMetrics(): MetricName[] {
    const known = new Set(["accounts", "areaKm2", ...this.attrNames]);
    return (this.settings.balanceMetrics ?? ["accounts", ...this.attrNames]).filter(
      (m, i, all) => known.has(m) && all.indexOf(m) === i,
    );
  }

  /**
   * Who is where: each account's row in `states` (-1 in none, -2 in several),
   * from its pin or the containment counts, and the accounts in none and in several.
   */
  private assignAccounts(states: readonly State[]): {
    accountTerritory: Int32Array;
    unassigned: number[];
    overlapping: number[];
  } {
    const n = this.accounts.size;
    const slotToRow = new Int32Array(this.slotIds.length).fill(-1);
    for (let i = 0; i < states.length; i++) slotToRow[(states[i] as State).slot] = i;
    const accountTerritory = new Int32Array(n);
    const unassigned: number[] = [];
    const overlapping: number[] = [];
    const { pinSlot, count, slotXor } = this;
    for (let a = 0; a < n; a++) {
      const pinned = pinSlot[a];
      if (pinned >= 0) {
        accountTerritory[a] = slotToRow[pinned];
        continue;
      }
      const c = count[a];
      if (c === 1) {
        accountTerritory[a] = slotToRow[slotXor[a] - 1];
      } else if (c === 0) {
        accountTerritory[a] = -1;
        unassigned.push(a);
      } else {
        accountTerritory[a] = -2;
        overlapping.push(a);
      }
    }
    return { accountTerritory, unassigned, overlapping };
  }

  /** Each territory's values, and the balance over them with the coverage (what lies in no territory). */
  private balanceOf(
    states: readonly State[],
    metrics: MetricName[],
    unassigned: readonly number[],
  ): { rows: BalanceRow[]; balance: Analysis["balance"]; rowBalance: RowBalance[] } {
    const rows: BalanceRow[] = states.map((s) => {
      const values: Record<string, number> = { accounts: s.accounts, areaKm2: (s.shape as Shape).areaKm2 };
      for (let c = 0; c < this.attrNames.length; c++) values[this.attrNames[c] as string] = s.sums[c] as number;
      return { id: s.id, values, targets: s.targets };
    });
    const uncoveredSums = new Float64Array(this.columns.length);
    for (const a of unassigned) addAccount(uncoveredSums, this.columns, a);
    const coverage: Record<MetricName, Coverage> = {
      accounts: { whole: this.accounts.size, uncovered: unassigned.length },
    };
    for (let c = 0; c < this.attrNames.length; c++) {
      coverage[this.attrNames[c] as string] = {
        whole: this.wholeSums[c] as number,
        uncovered: uncoveredSums[c] as number,
      };
    }
    const { balance, rows: rowBalance } = computeBalance(rows, metrics, this.settings.allowedDeviation, coverage);
    return { rows, balance, rowBalance };
  }

  /** One territory's line of the analysis: its measures, sums and deviations. */
  private territoryMetrics(s: State, rb: RowBalance, anyOverlapping: boolean): TerritoryMetrics {
    const shape = s.shape as Shape;
    const sums: Record<string, number> = {};
    for (let c = 0; c < this.attrNames.length; c++) sums[this.attrNames[c] as string] = s.sums[c] as number;
    return {
      id: s.id,
      name: s.name,
      accounts: s.accounts,
      sharedAccounts: anyOverlapping ? this.sharedCount(s) : 0,
      sums,
      areaKm2: shape.areaKm2,
      perimeterKm: shape.perimeterKm,
      compactness: shape.compactness,
      parts: shape.parts,
      vertices: shape.vertices,
      valid: shape.topology.valid,
      // The balance figures (deviations, references and their sources, levels).
      ...rb,
      at: [...shape.at] as Position,
      bbox: [...shape.bbox] as BBox,
    };
  }

  /** Broken and disconnected territories, in territory order. */
  private geometryIssues(states: readonly State[]): Issue[] {
    const issues: Issue[] = [];
    for (const s of states) {
      const shape = s.shape as Shape;
      const topo = shape.topology;
      if (!topo.valid && topo.problem && topo.at) {
        issues.push(
          invalidGeometryIssue(
            s,
            topo.problem,
            topo.intersectionCount,
            [...topo.at] as Position,
            problemBox(topo, shape.bbox),
          ),
        );
      }
      if (shape.parts > 1)
        issues.push(disconnectedIssue(s, shape.parts, [...shape.strayAt] as Position, [...shape.bbox] as BBox));
    }
    return issues;
  }

  /** One issue per overlapping pair, with the unpinned accounts both count (the first ACCOUNT_ID_CAP by id). */
  private overlapIssues(): Issue[] {
    const issues: Issue[] = [];
    for (const key of [...this.pairs.keys()].sort()) {
      const p = this.pairs.get(key) as Pair;
      if (!p.overlaps) continue;
      const conflict: string[] = [];
      let count = 0;
      for (let k = 0; k < p.shared.length; k++) {
        const a = p.shared[k] as number;
        if ((this.pinSlot[a] as number) >= 0) continue;
        if (count++ < ACCOUNT_ID_CAP) conflict.push(this.accounts.ids[a] as string);
      }
      const a = this.states.get(p.a) as State;
      const b = this.states.get(p.b) as State;
      issues.push(
        overlapIssue(a, b, p.areaKm2, conflict, count, [...p.at] as Position, [...p.bbox] as BBox, p.geometry),
      );
    }
    return issues;
  }

  /**
   * How many of a territory's accounts another territory also counts: the
   * union of what it shares with each territory whose box meets its own
   * (pairs keep that list even when the borders only touch, so an account
   * on a sliver thinner than the tolerance is still seen).
   */
  private sharedCount(s: State): number {
    const stamp = ++this.stampValue;
    const marks = this.stamps;
    const pinSlot = this.pinSlot;
    let n = 0;
    for (const key of s.pairKeys) {
      const shared = (this.pairs.get(key) as Pair).shared;
      for (let k = 0; k < shared.length; k++) {
        const a = shared[k];
        if (pinSlot[a] >= 0 || marks[a] === stamp) continue;
        marks[a] = stamp;
        n++;
      }
    }
    return n;
  }
}

function pairKey(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

function boxesMeet(a: BBox, b: BBox, tol: number): boolean {
  return a[0] <= b[2] + tol && b[0] <= a[2] + tol && a[1] <= b[3] + tol && b[1] <= a[3] + tol;
}

/** Sorted intersection of two ascending arrays. */
function intersectSorted(x: Int32Array, y: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(x.length, y.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < x.length && j < y.length) {
    const a = x[i] as number;
    const b = y[j] as number;
    if (a === b) {
      out[n++] = a;
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
  }
  return out.slice(0, n);
}

function binarySearch(sorted: Int32Array, v: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = sorted[mid] as number;
    if (m === v) return true;
    if (m < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A box around a geometry problem: its points, with a margin of 2 % of the territory's size (at least ~10 m). */
function problemBox(topo: TopologyReport, territory: BBox): BBox {
  const pts = topo.intersections.length > 0 ? topo.intersections : topo.at ? [topo.at] : [];
  const m = Math.max(1e-4, 0.02 * Math.max(territory[2] - territory[0], territory[3] - territory[1]));
  let box: BBox = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (const [x, y] of pts) box = [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
  if (!Number.isFinite(box[0])) return [...territory] as BBox;
  return [box[0] - m, box[1] - m, box[2] + m, box[3] + m];
}

/** Adds account `a`'s values to `sums`, one per column; a blank (NaN) adds nothing. */
function addAccount(sums: Float64Array, cols: readonly Float64Array[], a: number): void {
  for (let c = 0; c < cols.length; c++) {
    const v = (cols[c] as Float64Array)[a] as number;
    if (!Number.isNaN(v)) sums[c] = (sums[c] as number) + v;
  }
}
