import { DEFAULT_ALLOWED_DEVIATION } from "../doc/schema.ts";
import { decodeGeometry } from "../geometry/codec.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import type { AccountIndex } from "../scoring/accounts.ts";
import { Analyzer } from "../scoring/analyzer.ts";
import { withCompetitorCounts } from "../scoring/competitors.ts";
import type { Analysis } from "../scoring/types.ts";
import { UnitAnalyzer } from "../units/analyzer.ts";
import type { UnitLayer } from "../units/layer.ts";
import { geometryBytes, unpackUnits, type VersionContent } from "./content.ts";

/** What a version refers to, read back: its accounts, competitors and unit layer. */
export interface VersionData {
  accounts: AccountIndex;
  competitors: AccountIndex | null;
  /** The unit layer of `content.unitsVersion` (null in a drawn plan). */
  layer: UnitLayer | null;
}

/** A version scored as the live plan would be: the same analyzers, the same settings. */
export interface AnalyzedVersion {
  analysis: Analysis;
  /** The territory (or, in an overlap, the territories) account `a` is counted in; null when none. */
  territoryOf(a: number): string | string[] | null;
  /** A territory's shape: as drawn, or the outline of its units (null without units or when unknown). */
  outline(id: string): TerritoryGeometry | null;
}

/**
 * Scores a version's content with the data it refers to (issue 14: opening
 * and comparing versions). Pure and synchronous: the server runs it in the
 * jobs worker, since 500 territories over 50,000 accounts take longer than
 * the event loop may be held.
 *
 * @example
 * const { analysis } = analyzeVersion(content, { accounts: new AccountIndex(rows), competitors: null, layer: null });
 */
export function analyzeVersion(content: VersionContent, data: VersionData): AnalyzedVersion {
  const settings = { allowedDeviation: content.allowedDeviation ?? DEFAULT_ALLOWED_DEVIATION };
  const pins = new Map(Object.entries(content.pins));
  if (content.unitsVersion > 0) {
    if (!data.layer) throw new Error(`unit layer ${content.unitsVersion} is needed to score this version`);
    const a = new UnitAnalyzer(data.layer, data.accounts, data.competitors, settings);
    for (const t of content.territories) a.setTerritory({ id: t.id, name: t.name, targets: t.targets });
    const owners = unpackUnits(content);
    const entries: [number, string][] = [];
    owners.forEach((id, u) => {
      if (id !== null) entries.push([u, id]);
    });
    a.assign(entries);
    a.setPins(pins);
    const analysis = a.analyze();
    const ids = analysis.territories.map((t) => t.id);
    return {
      analysis,
      territoryOf: (i) => territoryAt(analysis.accountTerritory, ids, i, () => []),
      outline: (id) => a.outline(id),
    };
  }
  const geometries = new Map<string, TerritoryGeometry>();
  for (const t of content.territories) {
    const bytes = geometryBytes(t);
    if (bytes) geometries.set(t.id, decodeGeometry(bytes) as TerritoryGeometry);
  }
  const a = new Analyzer(data.accounts, settings);
  const c = data.competitors && data.competitors.size > 0 ? new Analyzer(data.competitors, settings) : null;
  for (const t of content.territories) {
    const geometry = geometries.get(t.id);
    if (!geometry) continue;
    a.setTerritory({ id: t.id, name: t.name, targets: t.targets, geometry });
    c?.setTerritory({ id: t.id, name: t.name, targets: t.targets, geometry });
  }
  a.setPins(pins);
  const analysis = c ? withCompetitorCounts(a.analyze(), c.analyze()) : a.analyze();
  const ids = analysis.territories.map((t) => t.id);
  return {
    analysis,
    territoryOf: (i) => territoryAt(analysis.accountTerritory, ids, i, () => a.territoriesOfAccount(i)),
    outline: (id) => geometries.get(id) ?? null,
  };
}

function territoryAt(
  accountTerritory: Int32Array,
  ids: readonly string[],
  a: number,
  several: () => string[],
): string | string[] | null {
  const t = accountTerritory[a] ?? -1;
  if (t >= 0) return ids[t] ?? null;
  return t === -2 ? several() : null;
}
