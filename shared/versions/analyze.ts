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
  return new VersionScorer(data).score(content);
}

/**
 * Scores one version after another on the same data (the same accounts,
 * competitors and unit layer), incrementally: the analyzers are the live
 * plan's, which recompute only the territories that differ from the
 * version scored before. Two versions of a plan usually differ in a few
 * territories, so the second costs milliseconds where a fresh analysis of
 * 500 territories over 50,000 accounts costs a few hundred.
 *
 * A result's `outline` holds until the next `score`; its analysis and
 * `territoryOf` hold for good.
 */
export class VersionScorer {
  private drawn: Analyzer | null = null;
  private competitors: Analyzer | null = null;
  private units: UnitAnalyzer | null = null;
  /** What each analyzer was given (a drawn plan's, a unit plan's), to skip what is unchanged. */
  private readonly givenDrawn = new Given();
  private readonly givenUnits = new Given();
  private owners: (string | null)[] = [];

  constructor(readonly data: VersionData) {}

  score(content: VersionContent): AnalyzedVersion {
    const allowedDeviation = content.allowedDeviation ?? DEFAULT_ALLOWED_DEVIATION;
    return content.unitsVersion > 0
      ? this.scoreUnits(content, allowedDeviation)
      : this.scoreDrawn(content, allowedDeviation);
  }

  private scoreDrawn(content: VersionContent, allowedDeviation: number): AnalyzedVersion {
    if (!this.drawn) {
      this.drawn = new Analyzer(this.data.accounts, { allowedDeviation });
      const c = this.data.competitors;
      this.competitors = c && c.size > 0 ? new Analyzer(c, { allowedDeviation }) : null;
      this.givenDrawn.deviation = allowedDeviation;
    }
    const a = this.drawn;
    const c = this.competitors;
    const given = this.givenDrawn;
    if (given.deviation !== allowedDeviation) {
      a.setSettings({ allowedDeviation });
      c?.setSettings({ allowedDeviation });
      given.deviation = allowedDeviation;
    }
    const wanted = new Set<string>();
    for (const t of content.territories) {
      if (t.geometry === undefined) continue;
      wanted.add(t.id);
      const key = `${t.name}\u0000${JSON.stringify(t.targets)}\u0000${t.geometry}`;
      if (given.territories.get(t.id) === key) continue;
      const geometry = decodeGeometry(geometryBytes(t) as Uint8Array) as TerritoryGeometry;
      a.setTerritory({ id: t.id, name: t.name, targets: t.targets, geometry });
      c?.setTerritory({ id: t.id, name: t.name, targets: t.targets, geometry });
      given.territories.set(t.id, key);
    }
    given.forgetOthers(wanted, (id) => {
      a.removeTerritory(id);
      c?.removeTerritory(id);
    });
    given.pins(content, (pins) => a.setPins(pins));
    const analysis = c ? withCompetitorCounts(a.analyze(), c.analyze()) : a.analyze();
    const several = new Map<number, string[]>();
    analysis.accountTerritory.forEach((t, i) => {
      if (t === -2) several.set(i, a.territoriesOfAccount(i));
    });
    const geometries = new Map(content.territories.map((t) => [t.id, t]));
    return {
      analysis,
      territoryOf: placeOf(analysis, (i) => several.get(i) ?? []),
      outline: (id) => {
        const bytes = geometries.get(id);
        return bytes?.geometry === undefined
          ? null
          : (decodeGeometry(geometryBytes(bytes) as Uint8Array) as TerritoryGeometry);
      },
    };
  }

  private scoreUnits(content: VersionContent, allowedDeviation: number): AnalyzedVersion {
    if (!this.data.layer) throw new Error(`unit layer ${content.unitsVersion} is needed to score this version`);
    if (!this.units) {
      this.units = new UnitAnalyzer(this.data.layer, this.data.accounts, this.data.competitors, { allowedDeviation });
      this.givenUnits.deviation = allowedDeviation;
    }
    const a = this.units;
    const given = this.givenUnits;
    if (given.deviation !== allowedDeviation) {
      a.setSettings({ allowedDeviation });
      given.deviation = allowedDeviation;
    }
    const wanted = new Set<string>();
    for (const t of content.territories) {
      wanted.add(t.id);
      const key = `${t.name}\u0000${JSON.stringify(t.targets)}`;
      if (given.territories.get(t.id) === key) continue;
      a.setTerritory({ id: t.id, name: t.name, targets: t.targets });
      given.territories.set(t.id, key);
    }
    given.forgetOthers(wanted, (id) => a.removeTerritory(id));
    const owners = unpackUnits(content);
    const moves: [number, string | null][] = [];
    for (let u = 0; u < Math.max(owners.length, this.owners.length); u++) {
      const to = owners[u] ?? null;
      if ((this.owners[u] ?? null) !== to) moves.push([u, to]);
    }
    a.assign(moves);
    this.owners = owners;
    given.pins(content, (pins) => a.setPins(pins));
    const analysis = a.analyze();
    return { analysis, territoryOf: placeOf(analysis, () => []), outline: (id) => a.outline(id) };
  }
}

/** What one analyzer of a scorer was given. */
class Given {
  /** Territory id → its name, targets (and geometry) as given. */
  readonly territories = new Map<string, string>();
  deviation: number | null = null;
  private pinsKey: string | null = null;

  forgetOthers(wanted: ReadonlySet<string>, remove: (id: string) => void): void {
    for (const id of [...this.territories.keys()]) {
      if (wanted.has(id)) continue;
      remove(id);
      this.territories.delete(id);
    }
  }

  pins(content: VersionContent, set: (pins: Map<string, string>) => void): void {
    const key = JSON.stringify(content.pins);
    if (key === this.pinsKey) return;
    set(new Map(Object.entries(content.pins)));
    this.pinsKey = key;
  }
}

/** An account's place in an analysis: its territory, the territories it is counted in when several, null when none. */
function placeOf(analysis: Analysis, several: (a: number) => string[]): (a: number) => string | string[] | null {
  const ids = analysis.territories.map((t) => t.id);
  return (a) => {
    const t = analysis.accountTerritory[a] ?? -1;
    if (t >= 0) return ids[t] ?? null;
    return t === -2 ? several(a) : null;
  };
}
