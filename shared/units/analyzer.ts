import { polsbyPopper } from "../geometry/area.ts";
import { bboxOf, type Position, type TerritoryGeometry } from "../geometry/types.ts";
import type { AccountIndex } from "../scoring/accounts.ts";
import { type BalanceRow, type Coverage, computeBalance } from "../scoring/balance.ts";
import { compareIssues, deviationIssues, disconnectedIssue, nearestOf, unassignedIssueOf } from "../scoring/issues.ts";
import type { Analysis, AnalysisSettings, BBox, Issue, MetricName, TerritoryMetrics } from "../scoring/types.ts";
import { contiguityGraph, type UnitLayer } from "./layer.ts";
import { locatePoints } from "./locate.ts";
import { outlineOfAreas, outlineOfCells } from "./outline.ts";

/** What the analysis needs of a territory in a unit plan: no geometry, its units are its shape. */
export interface UnitTerritory {
  id: string;
  name: string;
  targets: Readonly<Record<string, number>>;
}

interface State {
  id: string;
  name: string;
  targets: Record<string, number>;
  slot: number;
  units: Set<number>;
  accounts: number;
  /** Per account column, then per unit attribute, then per competitor column: sums over the units. */
  sums: Float64Array;
  competitors: number;
  areaKm2: number;
  perimeterKm: number;
  /** Recomputed in analyze() when the units changed. */
  shapeDirty: boolean;
  parts: number;
  at: Position;
  bbox: BBox;
}

/**
 * The analysis of a plan built from units (issue 12), in the same shape as
 * the drawn plans' {@link import("../scoring/analyzer.ts").Analyzer} gives,
 * so panels, exports and the dashboard need not know the difference.
 *
 * Points are placed in units once (construction); a territory's metrics are
 * sums over its units, kept as running totals, so a paint stroke of k units
 * costs O(k) plus the plan-wide pass. Contiguity comes from unit neighbours
 * (and the island bridges), compactness from the outline's area and
 * perimeter (a territory's perimeter is its units' less twice the borders
 * they share). Overlaps cannot happen: a unit has one territory.
 *
 * @example
 * const a = new UnitAnalyzer(layer, new AccountIndex(accounts), null, { allowedDeviation: 0.15 });
 * a.setTerritory({ id: "t1", name: "Bogor", targets: {} });
 * a.assign([[0, "t1"], [1, "t1"]]);
 * a.analyze().territories[0].accounts;
 */
export class UnitAnalyzer {
  readonly layer: UnitLayer;
  readonly accounts: AccountIndex;
  readonly competitors: AccountIndex | null;
  /** Each account's unit (-1: none), and each competitor's. */
  readonly accountUnit: Int32Array;
  readonly competitorUnit: Int32Array;
  private settings: AnalysisSettings;
  private readonly attrNames: string[];
  private readonly unitAttrNames: string[];
  private readonly competitorAttrNames: string[];
  /** Names the sums are reported under: account attributes, unit attributes (renamed on a clash), competitor columns. */
  private readonly sumNames: string[];
  /** Per unit: unpinned accounts, and the sums (same layout as State.sums). */
  private readonly unitAccounts: Int32Array;
  private unitSums: Float64Array[];
  private readonly unitCompetitors: Int32Array;
  private readonly width: number;
  /** Per unit: the territory id the plan gives it (null: none) and the slot it is counted in (-1: none). */
  private readonly wanted: (string | null)[];
  private readonly slotOf: Int32Array;
  private readonly states = new Map<string, State>();
  private readonly bySlot: (State | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private pins: ReadonlyMap<string, string> = new Map();
  private readonly graph: { offsets: Int32Array; targets: Int32Array };
  private readonly unitBoxes: Float64Array;
  private readonly wholeSums: Float64Array;

  constructor(
    layer: UnitLayer,
    accounts: AccountIndex,
    competitors: AccountIndex | null,
    settings: AnalysisSettings = { allowedDeviation: 0.15 },
  ) {
    this.layer = layer;
    this.accounts = accounts;
    this.competitors = competitors;
    this.settings = { ...settings };
    const n = layer.ids.length;
    this.attrNames = accounts.metricNames();
    const taken = new Set(["accounts", "areaKm2", "competitors", ...this.attrNames]);
    this.unitAttrNames = layer.attributes;
    const unitNames = layer.attributes.map((a) => (taken.has(a) ? `${a}_units` : a));
    this.competitorAttrNames = competitors?.metricNames() ?? [];
    const compNames = this.competitorAttrNames.map((a) => `competitor_${a}`);
    this.sumNames = [...this.attrNames, ...unitNames, ...compNames];
    this.width = this.sumNames.length;
    this.accountUnit = locatePoints(layer, accounts.lon, accounts.lat);
    this.competitorUnit = competitors ? locatePoints(layer, competitors.lon, competitors.lat) : new Int32Array(0);
    this.unitAccounts = new Int32Array(n);
    this.unitCompetitors = new Int32Array(n);
    this.unitSums = [];
    this.wanted = new Array(n).fill(null);
    this.slotOf = new Int32Array(n).fill(-1);
    this.graph = contiguityGraph(layer);
    this.unitBoxes = unitBoxes(layer.geometries);
    this.computeUnitSums();
    this.wholeSums = this.wholeOfAll();
  }

  /** Per-unit totals of the accounts not pinned elsewhere, the unit's own attributes and competitors. */
  private computeUnitSums(): void {
    const n = this.layer.ids.length;
    const cols = this.attrNames.map((m) => this.accounts.column(m) as Float64Array);
    this.unitAccounts.fill(0);
    this.unitCompetitors.fill(0);
    this.unitSums = Array.from({ length: n }, () => new Float64Array(this.width));
    const pinned = this.pinnedAccounts();
    for (let a = 0; a < this.accounts.size; a++) {
      const u = this.accountUnit[a] as number;
      if (u < 0 || pinned.has(a)) continue;
      this.unitAccounts[u]++;
      const row = this.unitSums[u] as Float64Array;
      for (let c = 0; c < cols.length; c++) {
        const v = (cols[c] as Float64Array)[a] as number;
        if (!Number.isNaN(v)) row[c] = (row[c] as number) + v;
      }
    }
    const base = this.attrNames.length;
    this.unitAttrNames.forEach((attr, k) => {
      const values = this.layer.values[attr] as Float64Array;
      for (let u = 0; u < n; u++) {
        const v = values[u] as number;
        if (!Number.isNaN(v)) (this.unitSums[u] as Float64Array)[base + k] = v;
      }
    });
    if (this.competitors) {
      const cbase = base + this.unitAttrNames.length;
      const competitors = this.competitors;
      const ccols = this.competitorAttrNames.map((m) => competitors.column(m) as Float64Array);
      for (let c = 0; c < this.competitors.size; c++) {
        const u = this.competitorUnit[c] as number;
        if (u < 0) continue;
        this.unitCompetitors[u]++;
        const row = this.unitSums[u] as Float64Array;
        for (let k = 0; k < ccols.length; k++) {
          const v = (ccols[k] as Float64Array)[c] as number;
          if (!Number.isNaN(v)) row[cbase + k] = (row[cbase + k] as number) + v;
        }
      }
    }
  }

  /** Every account's values and every unit's attributes, in a territory or not. */
  private wholeOfAll(): Float64Array {
    const whole = new Float64Array(this.width);
    const cols = this.attrNames.map((m) => this.accounts.column(m) as Float64Array);
    for (let c = 0; c < cols.length; c++) {
      for (const v of cols[c] as Float64Array) if (!Number.isNaN(v)) whole[c] = (whole[c] as number) + v;
    }
    const base = this.attrNames.length;
    this.unitAttrNames.forEach((attr, k) => {
      for (const v of this.layer.values[attr] as Float64Array)
        if (!Number.isNaN(v)) whole[base + k] = (whole[base + k] as number) + v;
    });
    const competitors = this.competitors;
    if (competitors) {
      const cbase = base + this.unitAttrNames.length;
      this.competitorAttrNames.forEach((m, k) => {
        for (const v of competitors.column(m) as Float64Array) {
          if (!Number.isNaN(v)) whole[cbase + k] = (whole[cbase + k] as number) + v;
        }
      });
    }
    return whole;
  }

  /**
   * Accounts pinned to a territory of the plan (a pin naming a territory
   * that no longer exists is ignored: the account counts where its unit is).
   */
  private pinnedAccounts(): Map<number, string> {
    const out = new Map<number, string>();
    if (this.pins.size === 0) return out;
    const index = new Map(this.accounts.ids.map((id, i) => [id, i]));
    for (const [accountId, territoryId] of this.pins) {
      const a = index.get(accountId);
      if (a !== undefined && this.states.has(territoryId)) out.set(a, territoryId);
    }
    return out;
  }

  /** Whether some pin names this territory (its coming or going moves accounts). */
  private pinned(id: string): boolean {
    for (const t of this.pins.values()) if (t === id) return true;
    return false;
  }

  // ── changes ──────────────────────────────────────────────────────────────

  /** Adds a territory or changes its name and targets; units the plan gives it join it. */
  setTerritory(t: UnitTerritory): void {
    const old = this.states.get(t.id);
    if (old) {
      old.name = t.name;
      old.targets = { ...t.targets };
      return;
    }
    const slot = this.freeSlots.pop() ?? this.bySlot.length;
    const s: State = {
      id: t.id,
      name: t.name,
      targets: { ...t.targets },
      slot,
      units: new Set(),
      accounts: 0,
      sums: new Float64Array(this.width),
      competitors: 0,
      areaKm2: 0,
      perimeterKm: 0,
      shapeDirty: true,
      parts: 0,
      at: [0, 0],
      bbox: [0, 0, 0, 0],
    };
    this.states.set(t.id, s);
    this.bySlot[slot] = s;
    for (let u = 0; u < this.wanted.length; u++) if (this.wanted[u] === t.id) this.move(u, slot);
    if (this.pinned(t.id)) this.setPins(this.pins);
  }

  /** Removes a territory; its units count in none until the plan gives them to another. */
  removeTerritory(id: string): void {
    const s = this.states.get(id);
    if (!s) return;
    for (const u of [...s.units]) this.move(u, -1);
    this.states.delete(id);
    this.bySlot[s.slot] = undefined;
    this.freeSlots.push(s.slot);
    if (this.pinned(id)) this.setPins(this.pins);
  }

  /** Gives units to territories (null: none): one paint stroke, or the whole assignment. */
  assign(entries: Iterable<readonly [number, string | null]>): void {
    for (const [u, id] of entries) {
      if (u < 0 || u >= this.wanted.length) continue;
      this.wanted[u] = id;
      const s = id === null ? undefined : this.states.get(id);
      this.move(u, s ? s.slot : -1);
    }
  }

  /** Accounts pinned to territories, wherever their unit is. */
  setPins(pins: ReadonlyMap<string, string>): void {
    this.pins = new Map(pins);
    this.computeUnitSums();
    for (const s of this.states.values()) {
      s.accounts = 0;
      s.sums.fill(0);
      s.competitors = 0;
      s.areaKm2 = 0;
      for (const u of s.units) this.add(s, u, 1);
    }
  }

  setSettings(settings: AnalysisSettings): void {
    this.settings = { ...settings };
  }

  /** The territory id the plan gives each unit (null: none), as last told. */
  territoryOfUnit(u: number): string | null {
    const slot = this.slotOf[u] as number;
    return slot >= 0 ? ((this.bySlot[slot] as State).id ?? null) : null;
  }

  private move(u: number, slot: number): void {
    const from = this.slotOf[u] as number;
    if (from === slot) return;
    if (from >= 0) {
      const s = this.bySlot[from] as State;
      this.perimeterChange(s, u, -1);
      s.units.delete(u);
      this.add(s, u, -1);
      s.shapeDirty = true;
    }
    this.slotOf[u] = slot;
    if (slot >= 0) {
      const s = this.bySlot[slot] as State;
      s.units.add(u);
      this.perimeterChange(s, u, 1);
      this.add(s, u, 1);
      s.shapeDirty = true;
    }
  }

  private add(s: State, u: number, sign: 1 | -1): void {
    s.accounts += sign * (this.unitAccounts[u] as number);
    s.competitors += sign * (this.unitCompetitors[u] as number);
    const row = this.unitSums[u] as Float64Array;
    for (let c = 0; c < this.width; c++) s.sums[c] = (s.sums[c] as number) + sign * (row[c] as number);
    s.areaKm2 += sign * (this.layer.areaKm2[u] as number);
  }

  /**
   * A unit joining (+1) or leaving (−1) a territory changes its perimeter by
   * the unit's own, less twice what it shares with the territory's other units.
   * Called with `u` in the territory's set when leaving, not yet when joining.
   */
  private perimeterChange(s: State, u: number, sign: 1 | -1): void {
    const { offsets, targets, sharedKm, perimeterKm } = this.layer;
    let shared = 0;
    for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
      const v = targets[k] as number;
      if (v !== u && s.units.has(v)) shared += sharedKm[k] as number;
    }
    s.perimeterKm += sign * ((perimeterKm[u] as number) - 2 * shared);
  }

  // ── analysis ─────────────────────────────────────────────────────────────

  analyze(): Analysis {
    const ids = [...this.states.keys()].sort();
    const states = ids.map((id) => this.states.get(id) as State);
    for (const s of states) if (s.shapeDirty) this.shape(s);
    const allowed = this.settings.allowedDeviation;
    const sumNames = this.sumNames;
    const hasCompetitors = this.competitors !== null && this.competitors.size > 0;
    const known = new Set(["accounts", "areaKm2", ...sumNames, ...(hasCompetitors ? ["competitors"] : [])]);
    const defaults = [
      "accounts",
      ...this.attrNames,
      ...sumNames.slice(this.attrNames.length, this.attrNames.length + this.unitAttrNames.length),
      ...(hasCompetitors ? ["competitors"] : []),
    ];
    const metrics: MetricName[] = (this.settings.balanceMetrics ?? defaults).filter(
      (m, i, all) => known.has(m) && all.indexOf(m) === i,
    );

    // Accounts: pinned ones where pinned, the others where their unit is.
    const rowOfSlot = new Int32Array(this.bySlot.length).fill(-1);
    states.forEach((s, i) => {
      rowOfSlot[s.slot] = i;
    });
    const pinned = this.pinnedAccounts();
    const accountTerritory = new Int32Array(this.accounts.size);
    const unassigned: number[] = [];
    const pinnedCount = new Int32Array(states.length);
    const pinnedSums = states.map(() => new Float64Array(this.width));
    const cols = this.attrNames.map((m) => this.accounts.column(m) as Float64Array);
    for (let a = 0; a < this.accounts.size; a++) {
      const pin = pinned.get(a);
      const pinState = pin === undefined ? undefined : this.states.get(pin);
      if (pinState) {
        const row = rowOfSlot[pinState.slot] as number;
        accountTerritory[a] = row;
        pinnedCount[row]++;
        const sums = pinnedSums[row] as Float64Array;
        for (let c = 0; c < cols.length; c++) {
          const v = (cols[c] as Float64Array)[a] as number;
          if (!Number.isNaN(v)) sums[c] = (sums[c] as number) + v;
        }
        continue;
      }
      const u = this.accountUnit[a] as number;
      const slot = u >= 0 ? (this.slotOf[u] as number) : -1;
      const row = slot >= 0 ? (rowOfSlot[slot] as number) : -1;
      accountTerritory[a] = row;
      if (row < 0) unassigned.push(a);
    }

    const values = states.map((s, i) => {
      const sums = s.sums.slice();
      addInto(sums, pinnedSums[i] as Float64Array);
      const v: Record<string, number> = {
        accounts: s.accounts + (pinnedCount[i] as number),
        areaKm2: s.areaKm2,
        competitors: s.competitors,
      };
      sumNames.forEach((name, c) => {
        v[name] = sums[c] as number;
      });
      return v;
    });
    const rows: BalanceRow[] = states.map((s, i) => ({
      id: s.id,
      values: values[i] as Record<string, number>,
      targets: s.targets,
    }));

    // Coverage: what no territory holds.
    const uncovered = new Float64Array(this.width);
    let uncoveredCompetitors = 0;
    for (let u = 0; u < this.layer.ids.length; u++) {
      if ((this.slotOf[u] as number) >= 0) continue;
      const row = this.unitSums[u] as Float64Array;
      // Account sums of unassigned units are counted from the accounts below (pins move some).
      for (let c = this.attrNames.length; c < this.width; c++)
        uncovered[c] = (uncovered[c] as number) + (row[c] as number);
      uncoveredCompetitors += this.unitCompetitors[u] as number;
    }
    for (const a of unassigned) {
      for (let c = 0; c < cols.length; c++) {
        const v = (cols[c] as Float64Array)[a] as number;
        if (!Number.isNaN(v)) uncovered[c] = (uncovered[c] as number) + v;
      }
    }
    if (this.competitors) {
      // Competitors outside every unit are uncovered too.
      for (let c = 0; c < this.competitors.size; c++)
        if ((this.competitorUnit[c] as number) < 0) uncoveredCompetitors++;
    }
    const coverage: Record<MetricName, Coverage> = {
      accounts: { whole: this.accounts.size, uncovered: unassigned.length },
      competitors: { whole: this.competitors?.size ?? 0, uncovered: uncoveredCompetitors },
    };
    sumNames.forEach((name, c) => {
      coverage[name] = { whole: this.wholeSums[c] as number, uncovered: uncovered[c] as number };
    });
    const { balance, rows: rowBalance } = computeBalance(rows, metrics, allowed, coverage);

    const territories: TerritoryMetrics[] = states.map((s, i) => {
      const v = values[i] as Record<string, number>;
      const rb = rowBalance[i] as (typeof rowBalance)[number];
      const sums: Record<string, number> = {};
      const competitorSums: Record<string, number> = {};
      sumNames.forEach((name, c) => {
        if (c >= this.attrNames.length + this.unitAttrNames.length)
          competitorSums[name.slice("competitor_".length)] = v[name] as number;
        else sums[name] = v[name] as number;
      });
      const t: TerritoryMetrics = {
        id: s.id,
        name: s.name,
        accounts: v.accounts as number,
        sharedAccounts: 0,
        sums,
        areaKm2: s.areaKm2,
        perimeterKm: s.perimeterKm,
        compactness: polsbyPopper(s.areaKm2, s.perimeterKm),
        parts: s.parts,
        vertices: 0,
        valid: true,
        // The balance figures (deviations, references and their sources, levels).
        ...rb,
        at: [...s.at] as Position,
        bbox: [...s.bbox] as BBox,
        units: s.units.size,
      };
      if (this.competitors) {
        t.competitors = s.competitors;
        t.competitorSums = competitorSums;
      }
      return t;
    });

    const issues: Issue[] = [];
    for (const s of states) {
      if (s.parts > 1) issues.push(disconnectedIssue(s, s.parts, [...s.at] as Position, [...s.bbox] as BBox));
    }
    if (unassigned.length > 0) issues.push(unassignedIssueOf(this.accounts, unassigned));
    issues.push(...deviationIssues(states, values, rowBalance, metrics, allowed));
    issues.sort(compareIssues);
    return {
      territories,
      balance,
      issues,
      unassignedAccountIds: unassigned.map((a) => this.accounts.ids[a] as string),
      overlapAccountIds: [],
      accountTerritory,
      totals: {
        territories: states.length,
        accounts: this.accounts.size,
        unassigned: unassigned.length,
        overlapping: 0,
      },
    };
  }

  /** Parts (contiguity over neighbours and bridges), a label point in the largest part, and the box. */
  private shape(s: State): void {
    s.shapeDirty = false;
    const { offsets, targets } = this.graph;
    const seen = new Set<number>();
    let parts = 0;
    let largest: number[] = [];
    // In index order, so ties (two parts of one size) settle the same way every time.
    for (const start of [...s.units].sort((a, b) => a - b)) {
      if (seen.has(start)) continue;
      parts++;
      const part = [start];
      seen.add(start);
      for (let i = 0; i < part.length; i++) {
        const u = part[i] as number;
        for (let k = offsets[u] as number; k < (offsets[u + 1] as number); k++) {
          const v = targets[k] as number;
          if (s.units.has(v) && !seen.has(v)) {
            seen.add(v);
            part.push(v);
          }
        }
      }
      if (part.length > largest.length) largest = part;
    }
    s.parts = parts;
    const { lon, lat } = this.layer;
    let mx = 0;
    let my = 0;
    for (const u of largest) {
      mx += lon[u] as number;
      my += lat[u] as number;
    }
    mx /= Math.max(1, largest.length);
    my /= Math.max(1, largest.length);
    largest.sort((a, b) => a - b);
    const best = nearestOf(largest, lon, lat, mx, my) ?? largest[0];
    s.at = best === undefined ? [0, 0] : [lon[best] as number, lat[best] as number];
    const b: BBox = [
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const u of s.units) {
      b[0] = Math.min(b[0], this.unitBoxes[4 * u] as number);
      b[1] = Math.min(b[1], this.unitBoxes[4 * u + 1] as number);
      b[2] = Math.max(b[2], this.unitBoxes[4 * u + 2] as number);
      b[3] = Math.max(b[3], this.unitBoxes[4 * u + 3] as number);
    }
    s.bbox = s.units.size > 0 ? b : [s.at[0], s.at[1], s.at[0], s.at[1]];
  }

  /** A territory's outline: the union of its units (null without units). */
  outline(id: string): TerritoryGeometry | null {
    const s = this.states.get(id);
    if (!s || s.units.size === 0) return null;
    const members = [...s.units].sort((a, b) => a - b);
    if (this.layer.kind === "h3") {
      return outlineOfCells(
        members.map((u) => (this.layer.geometries[u] as { coordinates: Position[][] }).coordinates[0] as Position[]),
      );
    }
    return outlineOfAreas(members.map((u) => this.layer.geometries[u] as TerritoryGeometry));
  }

  /** The units of a territory, by index. */
  unitsOf(id: string): number[] {
    return [...(this.states.get(id)?.units ?? [])].sort((a, b) => a - b);
  }

  // ── auto-balance (issue 13) ──────────────────────────────────────────────

  /**
   * The metrics a proposal may balance, under the names the analysis
   * reports them by: accounts, area, each sum (account columns, unit
   * attributes, `competitor_<column>`) and, when the plan has competitors,
   * their count.
   */
  balanceableMetrics(): MetricName[] {
    const hasCompetitors = this.competitors !== null && this.competitors.size > 0;
    return ["accounts", "areaKm2", ...(hasCompetitors ? ["competitors"] : []), ...this.sumNames];
  }

  /**
   * What a proposal moves when it moves a unit: each unit's amount of
   * `metric` as the analysis counts it (accounts pinned to a territory
   * left out), and what each territory holds whatever its units (the
   * accounts pinned to it). Null for a metric the analysis does not know.
   *
   * @example a.unitAmounts("revenue") // { perUnit: Float64Array [120, 0, 35, …], pinned: Map { "bogor" => 40 } }
   */
  unitAmounts(metric: MetricName): { perUnit: Float64Array; pinned: Map<string, number> } | null {
    if (!this.balanceableMetrics().includes(metric)) return null;
    const n = this.layer.ids.length;
    const perUnit = new Float64Array(n);
    const pinned = new Map<string, number>();
    if (metric === "areaKm2") {
      perUnit.set(this.layer.areaKm2);
      return { perUnit, pinned };
    }
    if (metric === "competitors") {
      for (let u = 0; u < n; u++) perUnit[u] = this.unitCompetitors[u] as number;
      return { perUnit, pinned };
    }
    const c = metric === "accounts" ? -1 : this.sumNames.indexOf(metric);
    for (let u = 0; u < n; u++) {
      perUnit[u] = c < 0 ? (this.unitAccounts[u] as number) : ((this.unitSums[u] as Float64Array)[c] as number);
    }
    // Only accounts are pinned: their count and their own columns.
    if (c >= this.attrNames.length) return { perUnit, pinned };
    const column = c < 0 ? null : (this.accounts.column(this.attrNames[c] as string) as Float64Array);
    for (const [a, territoryId] of this.pinnedAccounts()) {
      const v = column ? (column[a] as number) : 1;
      if (!Number.isNaN(v)) pinned.set(territoryId, (pinned.get(territoryId) ?? 0) + v);
    }
    return { perUnit, pinned };
  }

  /** Unit adjacency with the island bridges: what contiguity is measured on (and the optimizer moves along). */
  get contiguity(): { offsets: Int32Array; targets: Int32Array } {
    return this.graph;
  }

  /**
   * The analysis as it would be with some units given to other territories
   * (a proposal's moves, before anyone accepts it), leaving this analyzer
   * as it was: what accepting would give, from the same code.
   */
  whatIf(moves: Iterable<readonly [number, string | null]>): Analysis {
    const list = [...moves].filter(([u]) => u >= 0 && u < this.wanted.length);
    const back = list.map(([u]) => [u, this.wanted[u] ?? null] as const).reverse();
    this.assign(list);
    try {
      return this.analyze();
    } finally {
      this.assign(back);
    }
  }
}

function addInto(target: Float64Array, add: Float64Array): void {
  for (let c = 0; c < target.length; c++) target[c] = (target[c] as number) + (add[c] as number);
}

function unitBoxes(geometries: readonly TerritoryGeometry[]): Float64Array {
  const out = new Float64Array(geometries.length * 4);
  geometries.forEach((g, u) => {
    out.set(bboxOf(g), u * 4);
  });
  return out;
}
