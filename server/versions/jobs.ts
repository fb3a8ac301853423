import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { AccountIndex } from "../../shared/scoring/accounts.ts";
import type { Analysis } from "../../shared/scoring/types.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import type { UnitLayer } from "../../shared/units/layer.ts";
import { analyzeVersion, type VersionData } from "../../shared/versions/analyze.ts";
import { type Comparison, compareVersions } from "../../shared/versions/compare.ts";
import { parseContent, type VersionContent, type VersionTerritory } from "../../shared/versions/content.ts";
import { type AccountsFile, accountsFileProblem, fromAccountsFile } from "../persistence/accounts-file.ts";
import type { StoredAccounts } from "../persistence/store.ts";

/**
 * A version as the jobs worker reads it (issue 14): its stored JSON and the
 * stored JSON of the data it refers to, each with a key under which the
 * worker may keep what it parsed (kept data never changes under its key),
 * so that opening a version and then comparing it parses 50,000 accounts
 * once.
 */
export interface VersionSide {
  /** The version's stored JSON (`{entry, content}`), or a content's JSON (the plan now). */
  body: string;
  accounts: KeyedText | null;
  competitors: KeyedText | null;
  layer: KeyedText | null;
}

export interface KeyedText {
  key: string;
  text: string;
}

/**
 * What opening a version answers: its territories as `GET …/territories`
 * has them (by name; a unit plan's as the outline of their units, null
 * without units) and the analysis (without the per-account array).
 */
export interface VersionView {
  features: VersionFeature[];
  analysis: Omit<Analysis, "accountTerritory">;
}

export interface VersionFeature {
  type: "Feature";
  id: string;
  geometry: TerritoryGeometry | null;
  properties: Omit<VersionTerritory, "geometry">;
}

/** Parsed kept data by key, the most recent few (a plan's accounts are tens of megabytes once parsed). */
const parsed = new Map<string, AccountIndex | UnitLayer | null>();
const KEEP_PARSED = 6;

function cached<T extends AccountIndex | UnitLayer | null>(key: string, make: () => T): T {
  const hit = parsed.get(key);
  if (hit !== undefined) {
    parsed.delete(key);
    parsed.set(key, hit);
    return hit as T;
  }
  const value = make();
  parsed.set(key, value);
  while (parsed.size > KEEP_PARSED) parsed.delete(parsed.keys().next().value as string);
  return value;
}

const EMPTY = new AccountIndex([]);

function readSide(side: VersionSide): { content: VersionContent; data: VersionData; accounts: AccountIndex } {
  const raw = JSON.parse(side.body) as { content?: unknown };
  const content = parseContent(raw.content ?? raw);
  const accounts = side.accounts
    ? cached(side.accounts.key, () => {
        const file = JSON.parse((side.accounts as KeyedText).text) as AccountsFile;
        const problem = accountsFileProblem(file);
        if (problem) throw new Error(`the kept accounts: ${problem}`);
        return new AccountIndex(fromAccountsFile(file).accounts);
      })
    : EMPTY;
  const competitors = side.competitors
    ? cached(side.competitors.key, () => {
        const stored = JSON.parse((side.competitors as KeyedText).text) as StoredAccounts;
        return stored.accounts.length > 0 ? new AccountIndex(stored.accounts) : null;
      })
    : null;
  const layer = side.layer
    ? cached(side.layer.key, () => layerFromJson(JSON.parse((side.layer as KeyedText).text) as UnitLayerJson))
    : null;
  return { content, data: { accounts, competitors, layer }, accounts };
}

/** Scores a version and draws its territories (the jobs worker's "version-view"). */
export function viewVersion(side: VersionSide): VersionView {
  const { content, data } = readSide(side);
  const scored = analyzeVersion(content, data);
  const features = [...content.territories]
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map(
      ({ geometry: _bytes, ...properties }): VersionFeature => ({
        type: "Feature",
        id: properties.id,
        geometry: scored.outline(properties.id),
        properties,
      }),
    );
  const { accountTerritory: _perAccount, ...analysis } = scored.analysis;
  return { features, analysis };
}

/** Compares two versions (the jobs worker's "version-compare"). */
export function compareSides(from: VersionSide, to: VersionSide): Comparison {
  const side = (s: VersionSide) => {
    const { content, data, accounts } = readSide(s);
    return {
      content,
      scored: analyzeVersion(content, data),
      accounts,
      unitIds: data.layer && content.unitsVersion > 0 ? data.layer.ids : null,
    };
  };
  return compareVersions(side(from), side(to));
}
