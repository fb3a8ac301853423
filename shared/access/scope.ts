import type * as Y from "yjs";
import type { UpdateFootprint } from "../doc/check-update.ts";
import { pinsMap, PLAN_KEYS, TERRITORY_KEYS, territoriesMap, unitsMap } from "../doc/schema.ts";
import { type Box, boxOf } from "../geometry/box-grid.ts";
import { EdgeIndex } from "../geometry/edge-index.ts";
import { flatten } from "../geometry/flat.ts";
import { detectOverlap } from "../geometry/overlap.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { ID_PATTERN } from "../ids.ts";

/**
 * What a scoped edit link may change (issue 15): a list of territories, or
 * a region, the territories whose `parent` is that region id. Stored with
 * the link (server/access/tokens.ts) and sent as `scope` in the links API.
 *
 * - By ids: a territory the link's holder draws joins the list (the server
 *   adds its id when the change is accepted).
 * - By region: a territory is in scope while its `parent` is the region; a
 *   territory the holder draws must carry that parent (the web client sets
 *   it), so it is in scope by the same rule. Nobody but an unscoped editor
 *   changes a `parent`, so a territory never moves in or out of a region
 *   under its regional manager's feet.
 */
export type LinkScope = { territories: string[] } | { parent: string };

/** Territories one scope may list (a plan holds at most 5,000 by default). */
export const MAX_SCOPE_TERRITORIES = 5000;

/** A scope made ready for checks: a Set for a list, the region id for a region. */
export interface ScopeTest {
  readonly scope: LinkScope;
  readonly ids: ReadonlySet<string> | null;
  readonly parent: string | null;
}

/** Compiles a scope for repeated checks (a Set of the list; cheap for a region). */
export function compileScope(scope: LinkScope): ScopeTest {
  return "parent" in scope
    ? { scope, ids: null, parent: scope.parent }
    : { scope, ids: new Set(scope.territories), parent: null };
}

function tested(scope: LinkScope | ScopeTest): ScopeTest {
  return "scope" in scope ? scope : compileScope(scope);
}

/**
 * Reads a scope from a request body; an error sentence for anything else.
 *
 * @example parseScope({ parent: "jabar" }) // { ok: true, scope: { parent: "jabar" } }
 */
export function parseScope(value: unknown): { ok: true; scope: LinkScope } | { ok: false; error: string } {
  const shape = 'a scope is {"territories": ["<territory id>", …]} or {"parent": "<region id>"}';
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, error: shape };
  const keys = Object.keys(value);
  if (keys.length !== 1) return { ok: false, error: shape };
  const v = value as Record<string, unknown>;
  if ("parent" in v) {
    if (typeof v.parent !== "string" || v.parent.trim() === "" || v.parent.length > 120) {
      return { ok: false, error: "a region scope's parent must be a region id of 1–120 characters" };
    }
    return { ok: true, scope: { parent: v.parent } };
  }
  if ("territories" in v) {
    const list = v.territories;
    if (!Array.isArray(list) || list.length === 0) {
      return { ok: false, error: "a scope's territories must be a list of at least one territory id" };
    }
    if (list.length > MAX_SCOPE_TERRITORIES) {
      return { ok: false, error: `a scope lists at most ${MAX_SCOPE_TERRITORIES} territories` };
    }
    const bad = list.find((id) => typeof id !== "string" || !ID_PATTERN.test(id));
    if (bad !== undefined) return { ok: false, error: `"${String(bad).slice(0, 64)}" is not a territory id` };
    return { ok: true, scope: { territories: [...new Set(list as string[])] } };
  }
  return { ok: false, error: shape };
}

/** The `parent` a territory has in the document now (undefined when it does not exist). */
function parentOf(doc: Y.Doc, id: string): string | null | undefined {
  const map = territoriesMap(doc).get(id);
  if (!map) return undefined;
  const p = map.get(TERRITORY_KEYS.parent);
  return typeof p === "string" ? p : null;
}

/** Whether an existing territory is inside a scope. */
export function inScope(scope: LinkScope | ScopeTest, doc: Y.Doc, id: string): boolean {
  const s = tested(scope);
  if (s.ids) return s.ids.has(id);
  return parentOf(doc, id) === s.parent;
}

/** The territories of `ids` outside the scope (none: every one is inside). */
export function outsideScope(scope: LinkScope | ScopeTest, ids: Iterable<string>, doc: Y.Doc): string[] {
  const s = tested(scope);
  const out: string[] = [];
  for (const id of ids) if (!inScope(s, doc, id) && !out.includes(id)) out.push(id);
  return out;
}

/**
 * Whether a link with this scope may change every territory of `ids` (an
 * unscoped link, `null`, may change any). What an accept of a suggestion or
 * a proposal asks before applying its moves.
 *
 * @example scopeAllows({ territories: ["bogor"] }, ["bogor", "depok"], doc) // false
 */
export function scopeAllows(scope: LinkScope | ScopeTest | null, ids: Iterable<string>, doc: Y.Doc): boolean {
  return scope === null || outsideScope(scope, ids, doc).length === 0;
}

/** The territories of a plan inside a scope, in the document's order. */
export function territoriesInScope(scope: LinkScope | ScopeTest, doc: Y.Doc): string[] {
  const s = tested(scope);
  const out: string[] = [];
  territoriesMap(doc).forEach((_, id) => {
    if (inScope(s, doc, id)) out.push(id);
  });
  return out;
}

/** Why a scoped change was refused: the client says it in the reader's language from this and `territories`. */
export type ScopeReason =
  /** It changes territories (units, pins) outside the scope. */
  | "outside"
  /** It changes a territory's `parent` (plan-wide). */
  | "parent"
  /** It changes a plan setting (plan-wide). */
  | "plan"
  /** A shape it writes overlaps territories outside the scope. */
  | "overlap"
  /** A territory it creates is not in the link's region (its `parent` is not the region). */
  | "region";

export type ScopeVerdict =
  | {
      ok: true;
      /** New territories that join a scope by ids once the change is stored. */
      adopted: string[];
    }
  | { ok: false; reason: ScopeReason; territories: string[]; problem: string };

/** What the scope check may read beside the document (all optional; what is absent is not checked). */
export interface ScopeContext {
  /** Territories whose box meets `box`: the only ones a new shape is tested against. */
  near?: (box: Box) => Iterable<string>;
  /** A territory's current shape (drawn plans), null without one. */
  geometryOf?: (id: string) => TerritoryGeometry | null;
  /** The territories an account lies in now (the latest analysis), for pins. */
  accountTerritories?: (accountId: string) => Iterable<string>;
}

/**
 * Whether a scoped edit link may make a change, from the document before it
 * and the change's footprint (`checkUpdate` works it out for a socket's
 * update; REST builds one for its call). Refused:
 *
 * - a territory outside the scope written or deleted (a border moved with a
 *   neighbour outside writes that neighbour: refused; a merge or split
 *   crossing the scope writes or deletes a territory outside it: refused);
 * - a unit taken from, or given to, a territory outside; a pin moved from or
 *   to one, or of an account lying in one;
 * - a `parent` changed, or a plan setting (plan-wide);
 * - a new territory outside the region (by region), or a shape that
 *   overlaps a territory outside the scope that it did not overlap before
 *   (a new territory: any overlap).
 *
 * Work: the footprint's size, plus for each shape written the territories
 * whose box meets it (ctx.near); never a pass over the plan.
 *
 * @example
 * const v = checkScope(doc, verdict.footprint, compileScope({ parent: "jabar" }), ctx);
 * if (!v.ok) refuse(v.problem, v.territories);
 */
export function checkScope(
  doc: Y.Doc,
  footprint: UpdateFootprint,
  scope: LinkScope | ScopeTest,
  ctx: ScopeContext = {},
): ScopeVerdict {
  const s = tested(scope);
  const territories = territoriesMap(doc);
  const nameOf = (id: string): string => {
    const n = territories.get(id)?.get(TERRITORY_KEYS.name);
    return typeof n === "string" ? n : id;
  };
  const refuse = (reason: ScopeReason, ids: string[], problem: string): ScopeVerdict => ({
    ok: false,
    reason,
    territories: ids,
    problem,
  });
  const outside = (ids: string[]): ScopeVerdict =>
    refuse(
      "outside",
      ids,
      `it changes ${list(ids.map(nameOf))}, outside the territories your link may edit; ask a manager with a full edit link`,
    );

  if (footprint.plan.size > 0) {
    const keys = [...footprint.plan].map((k) => (k === PLAN_KEYS.allowedDeviation ? "allowed deviation" : k));
    return refuse(
      "plan",
      [],
      `plan settings (${keys.join(", ")}) apply to the whole plan; ask a manager with a full edit link`,
    );
  }

  /** Territories the change creates (ids the plan does not have yet). */
  const fresh = new Set<string>();
  for (const id of footprint.created) if (!territories.has(id)) fresh.add(id);
  const after = (id: string): boolean => (fresh.has(id) ? true : inScope(s, doc, id));

  const out: string[] = [];
  const note = (id: string) => {
    if (!out.includes(id)) out.push(id);
  };
  for (const id of touchedOf(footprint)) {
    if (fresh.has(id)) continue;
    if (!inScope(s, doc, id)) note(id);
  }
  if (out.length > 0) return outside(out);

  // A region's new territories carry the region; nobody scoped moves a territory between regions.
  for (const [id, value] of footprint.parents) {
    if (fresh.has(id)) {
      if (s.parent !== null && value !== s.parent) {
        return refuse(
          "region",
          [id],
          `a territory you draw must be in your region (${s.parent}); ${nameOf(id)} is not`,
        );
      }
      continue;
    }
    if (value !== (parentOf(doc, id) ?? null)) {
      return refuse(
        "parent",
        [id],
        `it changes the region of ${nameOf(id)}, which only a manager with a full edit link may do`,
      );
    }
  }
  for (const id of fresh) {
    if (s.parent !== null && !footprint.parents.has(id)) {
      return refuse("region", [id], `a territory you draw must be in your region (${s.parent})`);
    }
  }

  const units = unitsMap(doc);
  for (const [key, next] of footprint.units) {
    const prev = units.get(key);
    if (prev !== undefined && !after(prev)) note(prev);
    if (next !== null && !after(next)) note(next);
  }
  const pins = pinsMap(doc);
  for (const [account, next] of footprint.pins) {
    const prev = pins.get(account);
    if (prev !== undefined && !after(prev)) note(prev);
    if (next !== null && !after(next)) note(next);
    if (ctx.accountTerritories && prev === undefined) {
      // An account pinned for the first time leaves the territory it lies in.
      for (const t of ctx.accountTerritories(account)) if (!after(t)) note(t);
    }
  }
  if (out.length > 0) return outside(out);

  const { near, geometryOf } = ctx;
  if (near && geometryOf) {
    for (const [id, shapes] of footprint.geometries) {
      const overlapped = overlapsOutside(id, shapes, fresh.has(id), s, doc, { near, geometryOf }, footprint);
      if (overlapped.length > 0) {
        return refuse(
          "overlap",
          overlapped,
          `the shape of ${nameOf(id)} would overlap ${list(overlapped.map(nameOf))}, outside the territories your link may edit`,
        );
      }
    }
  }
  return { ok: true, adopted: s.ids ? [...fresh] : [] };
}

/** Every territory a footprint writes, deletes or replaces. */
function touchedOf(f: UpdateFootprint): Set<string> {
  const ids = new Set<string>(f.created);
  for (const id of f.deleted) ids.add(id);
  for (const id of f.fields.keys()) ids.add(id);
  return ids;
}

function overlapsOutside(
  id: string,
  shapes: TerritoryGeometry[],
  isNew: boolean,
  s: ScopeTest,
  doc: Y.Doc,
  ctx: Required<Pick<ScopeContext, "near" | "geometryOf">>,
  footprint: UpdateFootprint,
): string[] {
  const found: string[] = [];
  const before = isNew ? null : ctx.geometryOf(id);
  let beforeIndex: EdgeIndex | null = null;
  for (const shape of shapes) {
    const box = boxOf(shape.coordinates);
    if (!box) continue;
    let index: EdgeIndex | null = null;
    for (const other of ctx.near(box)) {
      if (other === id || found.includes(other) || footprint.created.has(other)) continue;
      if (inScope(s, doc, other)) continue;
      const theirs = ctx.geometryOf(other);
      if (!theirs) continue;
      index ??= new EdgeIndex(flatten(shape));
      const theirIndex = new EdgeIndex(flatten(theirs));
      if (!detectOverlap(index, theirIndex).overlaps) continue;
      // An overlap the territory already had (a sliver in imported data) is not the holder's doing.
      if (before) {
        beforeIndex ??= new EdgeIndex(flatten(before));
        if (detectOverlap(beforeIndex, theirIndex).overlaps) continue;
      }
      found.push(other);
    }
  }
  return found;
}

/** "Bogor", "Bogor and Depok", "Bogor, Depok and 3 more". */
function list(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  if (names.length <= 3) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${names.slice(0, 2).join(", ")} and ${names.length - 2} more`;
}
