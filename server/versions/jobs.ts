import { AccountIndex } from "../../shared/scoring/accounts.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import { layerFromJson } from "../../shared/units/serialize.ts";
import type { UnitLayer } from "../../shared/units/layer.ts";
import { type VersionData, VersionScorer } from "../../shared/versions/analyze.ts";
import { addMetrics } from "../../shared/export/features.ts";
import { compareVersions } from "../../shared/versions/compare.ts";
import { parseContent, type VersionContent } from "../../shared/versions/content.ts";
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
 * What opening a version answers, serialised in the worker (a plan of
 * 100,000 vertices is megabytes of JSON: building and copying it as objects
 * held the event loop for 80 ms): its territories as `GET …/territories`
 * has them (by name, with their metrics; a unit plan's as the outline of
 * their units, null without units) and its analysis without the
 * per-account array.
 */
export interface VersionView {
  /** The features, a JSON array. */
  features: string;
  /** The analysis, a JSON object. */
  analysis: string;
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

/**
 * Scorers by the data they score on, the most recent few: one version after
 * another of the same plan is scored incrementally (shared/versions/analyze.ts).
 */
const scorers = new Map<string, VersionScorer>();
const KEEP_SCORERS = 2;

function scorerFor(side: VersionSide, data: VersionData): VersionScorer {
  const key = [side.accounts?.key, side.competitors?.key, side.layer?.key].join("|");
  let scorer = scorers.get(key);
  if (scorer) scorers.delete(key);
  else scorer = new VersionScorer(data);
  scorers.set(key, scorer);
  while (scorers.size > KEEP_SCORERS) scorers.delete(scorers.keys().next().value as string);
  return scorer;
}

function readSide(side: VersionSide): {
  content: VersionContent;
  data: VersionData;
  accounts: AccountIndex;
  scorer: VersionScorer;
} {
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
  const data = { accounts, competitors, layer };
  return { content, data, accounts, scorer: scorerFor(side, data) };
}

/** Scores a version and draws its territories (the jobs worker's "version-view"). */
export function viewVersion(side: VersionSide): VersionView {
  const { content, scorer } = readSide(side);
  const scored = scorer.score(content);
  const features = [...content.territories]
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map(({ geometry: _bytes, ...properties }) => ({
      type: "Feature" as const,
      id: properties.id,
      geometry: scored.outline(properties.id),
      properties,
    }));
  addMetrics(features, scored.analysis.territories);
  const { accountTerritory: _perAccount, ...analysis } = scored.analysis;
  return { features: JSON.stringify(features), analysis: JSON.stringify(analysis) };
}

/** Compares two versions (the jobs worker's "version-compare"), as JSON (tens of thousands of accounts may have moved). */
export function compareSides(from: VersionSide, to: VersionSide): string {
  const side = (s: VersionSide) => {
    const { content, data, accounts, scorer } = readSide(s);
    return {
      content,
      scored: scorer.score(content),
      accounts,
      unitIds: data.layer && content.unitsVersion > 0 ? data.layer.ids : null,
    };
  };
  return JSON.stringify(compareVersions(side(from), side(to)));
}
