import type { AccountIndex } from "../scoring/accounts.ts";
import type { TerritoryMetrics } from "../scoring/types.ts";
import type { AnalyzedVersion } from "./analyze.ts";
import { unpackUnits, type VersionContent } from "./content.ts";

/** The fields a territory's change is told by: its attributes, its drawn shape, or (unit plans) its units. */
export type TerritoryField = "name" | "color" | "reps" | "targets" | "parent" | "geometry" | "units";

const ATTRIBUTES = ["name", "color", "reps", "targets", "parent", "geometry"] as const;

export interface NamedTerritory {
  id: string;
  name: string;
}

export interface ChangedTerritory extends NamedTerritory {
  fields: TerritoryField[];
}

/** A unit whose territory differs between the two sides; `unit` is the layer's id (or the index when no layer is known). */
export interface UnitMove {
  unit: string;
  from: string | null;
  to: string | null;
}

/** What changed between two versions' contents, without scoring them. */
export interface ContentDiff {
  added: NamedTerritory[];
  removed: NamedTerritory[];
  changed: ChangedTerritory[];
  /** Units that changed territory, matched by id (or by index when both sides share a layer and no ids were given). */
  unitsMoved: UnitMove[];
  /** The two sides are built on different unit layers (or one is drawn and the other is not). */
  layerChanged: boolean;
  /** Each side's unit layer version (0: drawn). */
  layers: { from: number; to: number };
  /** Pins added, removed or moved. */
  pinsChanged: number;
  /** Plan settings that differ. */
  settings: { name?: { from: string; to: string }; allowedDeviation?: { from: number | null; to: number | null } };
  /** The sides name other accounts or competitors versions (an import between them). */
  accountsChanged: boolean;
  competitorsChanged: boolean;
}

/**
 * What changed from `a` to `b`, field by field. `unitIds` gives each side's
 * unit layer ids, to match units across two layers; without them units are
 * matched by index, and only when both sides use the same layer.
 *
 * @example diffContents(before, after).changed // [{id: "bogor", name: "Bogor", fields: ["units"]}]
 */
export function diffContents(
  a: VersionContent,
  b: VersionContent,
  unitIds?: { a: readonly string[] | null; b: readonly string[] | null },
): ContentDiff {
  const before = new Map(a.territories.map((t) => [t.id, t]));
  const after = new Map(b.territories.map((t) => [t.id, t]));
  const added: NamedTerritory[] = [];
  const removed: NamedTerritory[] = [];
  const fields = new Map<string, Set<TerritoryField>>();
  const mark = (id: string, f: TerritoryField) => {
    if (!before.has(id) || !after.has(id)) return;
    const set = fields.get(id) ?? new Set<TerritoryField>();
    fields.set(id, set);
    set.add(f);
  };
  for (const t of b.territories) if (!before.has(t.id)) added.push({ id: t.id, name: t.name });
  for (const t of a.territories) {
    const other = after.get(t.id);
    if (!other) {
      removed.push({ id: t.id, name: t.name });
      continue;
    }
    for (const f of ATTRIBUTES) if (!sameValue(t[f], other[f])) mark(t.id, f);
  }
  const layerChanged = a.unitsVersion !== b.unitsVersion;
  const unitsMoved = unitMoves(a, b, layerChanged, unitIds);
  for (const m of unitsMoved) {
    if (m.from !== null) mark(m.from, "units");
    if (m.to !== null) mark(m.to, "units");
  }
  let pinsChanged = 0;
  for (const [account, t] of Object.entries(a.pins)) if (b.pins[account] !== t) pinsChanged++;
  for (const account of Object.keys(b.pins)) if (!(account in a.pins)) pinsChanged++;
  const settings: ContentDiff["settings"] = {};
  if (a.name !== b.name) settings.name = { from: a.name, to: b.name };
  if (a.allowedDeviation !== b.allowedDeviation) {
    settings.allowedDeviation = { from: a.allowedDeviation, to: b.allowedDeviation };
  }
  const changed: ChangedTerritory[] = [];
  for (const t of b.territories) {
    const set = fields.get(t.id);
    if (set) changed.push({ id: t.id, name: t.name, fields: FIELD_ORDER.filter((f) => set.has(f)) });
  }
  return {
    added,
    removed,
    changed,
    unitsMoved,
    layerChanged,
    layers: { from: a.unitsVersion, to: b.unitsVersion },
    pinsChanged,
    settings,
    accountsChanged: a.accountsVersion !== b.accountsVersion,
    competitorsChanged: a.competitorsVersion !== b.competitorsVersion,
  };
}

const FIELD_ORDER: TerritoryField[] = ["name", "color", "reps", "targets", "parent", "geometry", "units"];

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  return JSON.stringify(x) === JSON.stringify(y);
}

function unitMoves(
  a: VersionContent,
  b: VersionContent,
  layerChanged: boolean,
  unitIds: { a: readonly string[] | null; b: readonly string[] | null } | undefined,
): UnitMove[] {
  const ownersA = unpackUnits(a);
  const ownersB = unpackUnits(b);
  const out: UnitMove[] = [];
  if (!layerChanged) {
    const ids = unitIds?.b ?? unitIds?.a ?? null;
    const n = Math.max(ownersA.length, ownersB.length);
    for (let u = 0; u < n; u++) {
      const from = ownersA[u] ?? null;
      const to = ownersB[u] ?? null;
      if (from !== to) out.push({ unit: ids?.[u] ?? String(u), from, to });
    }
    return out;
  }
  // Two layers: only units both have, by id.
  if (!unitIds?.a || !unitIds.b) return out;
  const inA = new Map(unitIds.a.map((id, u) => [id, u]));
  unitIds.b.forEach((id, u) => {
    const ua = inA.get(id);
    if (ua === undefined) return;
    const from = ownersA[ua] ?? null;
    const to = ownersB[u] ?? null;
    if (from !== to) out.push({ unit: id, from, to });
  });
  return out;
}

/** An account's territory on one side: its id, the ids when it is counted in several, null when in none. */
export type AccountPlace = string | string[] | null;

export interface AccountMove {
  account: string;
  from: AccountPlace;
  to: AccountPlace;
}

/** The comparison `GET /api/plans/:id/compare` answers (issue 14). */
export interface Comparison {
  territories: { added: NamedTerritory[]; removed: NamedTerritory[]; changed: ChangedTerritory[] };
  unitsMoved: UnitMove[];
  /** Accounts on both sides whose territory differs (by account id). */
  accountsMoved: AccountMove[];
  /** Accounts only on one side (an accounts import between them). */
  accounts: { added: number; removed: number };
  /** Per territory on either side, each metric before and after (null where the territory is absent). */
  metrics: Record<string, Record<string, { from: number | null; to: number | null }>>;
  /** The plan's balance score (0–100; null without territories). */
  score: { from: number | null; to: number | null };
  settings: ContentDiff["settings"];
  layerChanged: boolean;
}

/** One side of a comparison: the content, its scoring, and the accounts it was scored on. */
export interface ComparedSide {
  content: VersionContent;
  scored: AnalyzedVersion;
  accounts: AccountIndex;
  /** The unit layer's ids (null in a drawn plan). */
  unitIds: readonly string[] | null;
}

/**
 * Compares two scored versions: territories added, removed and changed,
 * units and accounts that changed territory, each territory's metrics and
 * the plan's score on both sides.
 *
 * @example compareVersions(from, to).score // {from: 71.2, to: 88.9}
 */
export function compareVersions(from: ComparedSide, to: ComparedSide): Comparison {
  const diff = diffContents(from.content, to.content, { a: from.unitIds, b: to.unitIds });
  const accountsMoved: AccountMove[] = [];
  let added = 0;
  let removed = 0;
  if (from.accounts === to.accounts || sameIds(from.accounts, to.accounts)) {
    for (let i = 0; i < to.accounts.size; i++) {
      const a = from.scored.territoryOf(i);
      const b = to.scored.territoryOf(i);
      if (!samePlace(a, b)) accountsMoved.push({ account: to.accounts.ids[i] as string, from: a, to: b });
    }
  } else {
    for (let i = 0; i < to.accounts.size; i++) {
      const id = to.accounts.ids[i] as string;
      const j = from.accounts.indexOf(id);
      if (j === undefined) {
        added++;
        continue;
      }
      const a = from.scored.territoryOf(j);
      const b = to.scored.territoryOf(i);
      if (!samePlace(a, b)) accountsMoved.push({ account: id, from: a, to: b });
    }
    for (const id of from.accounts.ids) if (to.accounts.indexOf(id) === undefined) removed++;
  }
  return {
    territories: { added: diff.added, removed: diff.removed, changed: diff.changed },
    unitsMoved: diff.unitsMoved,
    accountsMoved,
    accounts: { added, removed },
    metrics: metricsBeforeAfter(from.scored.analysis.territories, to.scored.analysis.territories),
    score: { from: from.scored.analysis.balance.score, to: to.scored.analysis.balance.score },
    settings: diff.settings,
    layerChanged: diff.layerChanged,
  };
}

function sameIds(a: AccountIndex, b: AccountIndex): boolean {
  if (a.size !== b.size) return false;
  for (let i = 0; i < a.size; i++) if (a.ids[i] !== b.ids[i]) return false;
  return true;
}

function samePlace(a: AccountPlace, b: AccountPlace): boolean {
  if (a === b) return true;
  return Array.isArray(a) && Array.isArray(b) && a.join("\n") === b.join("\n");
}

/** A territory's metrics by name: account count, sums, area, compactness, and units and competitors where the plan has them. */
export function metricsOf(t: TerritoryMetrics): Record<string, number> {
  return {
    accounts: t.accounts,
    ...t.sums,
    ...(t.competitors !== undefined ? { competitors: t.competitors } : {}),
    ...(t.units !== undefined ? { units: t.units } : {}),
    areaKm2: t.areaKm2,
    compactness: t.compactness,
  };
}

function metricsBeforeAfter(from: readonly TerritoryMetrics[], to: readonly TerritoryMetrics[]): Comparison["metrics"] {
  const a = new Map(from.map((t) => [t.id, metricsOf(t)]));
  const b = new Map(to.map((t) => [t.id, metricsOf(t)]));
  const out: Comparison["metrics"] = {};
  for (const id of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const ma = a.get(id) ?? {};
    const mb = b.get(id) ?? {};
    const row: Record<string, { from: number | null; to: number | null }> = {};
    for (const m of new Set([...Object.keys(ma), ...Object.keys(mb)])) {
      row[m] = { from: ma[m] ?? null, to: mb[m] ?? null };
    }
    out[id] = row;
  }
  return out;
}
