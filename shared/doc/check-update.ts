import * as Y from "yjs";
import { decodeGeometry } from "../geometry/codec.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { validateGeometry } from "../geometry/validate.ts";
import { ID_PATTERN } from "../ids.ts";
import {
  commentsMap,
  isAllowedDeviation,
  PLAN_KEYS,
  pinsMap,
  planMap,
  readUnitsVersion,
  ROOTS,
  suggestionsMap,
  TERRITORY_KEYS,
  territoriesMap,
  unitsMap,
} from "./schema.ts";
import { unitIndex } from "../units/layer.ts";
import { checkStoredTerritoryField, LIMITS } from "./territory.ts";

/**
 * Checks a client's Yjs update against the current plan document **without
 * applying it**, so a refused update costs work in proportion to its own
 * size (and to what it deletes), never to the size of the document.
 *
 * Why not apply it to a copy: Yjs cannot take an applied update back, so a
 * copy that took a bad update must be rebuilt from the whole document; a
 * stream of refused updates then keeps the server rebuilding (issue 9:
 * 100 view sockets froze a 2,000-territory plan for 40 s).
 *
 * How: the update is decoded (`Y.decodeUpdate`) and each new item is placed
 * the way `Item.getMissing` would place it — its parent is the root it names,
 * the item of the nested map it names, or its origin's parent — so every
 * write is known as (map, key, value) before anything changes. The schema
 * only has maps of plain values one level deep (shared/doc/schema.ts), so:
 *
 * - each written value is checked on its own (a territory's fields are
 *   independent: any mix of valid fields is a valid territory);
 * - a required field (name, colour, geometry) may disappear only with its
 *   territory: when the update deletes its current value, some new value
 *   must be written after it, and every new write that may end up last must
 *   be alive (see `endsAlive`);
 * - anything that would wait for missing changes (Yjs "pending") is refused,
 *   so the real document never holds unvalidated content.
 *
 * The probe-based check this replaces stays in the tests as the oracle
 * (check-update.test.ts runs both on random updates).
 *
 * @example
 * const verdict = checkUpdate(doc, update, { maxTerritories: 5000 });
 * if (!verdict.ok) refuse(verdict.problem); else if (verdict.news) Y.applyUpdate(doc, update);
 */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, limits: UpdateLimits = {}): UpdateVerdict {
  let decoded: Decoded;
  try {
    decoded = Y.decodeUpdate(update);
  } catch (e) {
    return refuse(`the update could not be decoded (${(e as Error).message})`, "malformed");
  }
  try {
    return new UpdateCheck(doc, decoded, limits).run();
  } catch (e) {
    if (e instanceof Refused) return refuse(e.message, e.code);
    return refuse(`the update could not be read (${(e as Error).message})`, "malformed");
  }
}

export interface UpdateLimits {
  /** Most territories a plan may hold; an update that adds beyond it is refused. */
  maxTerritories?: number;
  /** Most pins a plan may hold. */
  maxPins?: number;
  /** Whether an account exists (pins must name one); unknown when absent. */
  accountExists?: (id: string) => boolean;
  /** Units in the plan's unit layer (unit keys index it); 0 or absent: no layer loaded. */
  unitCount?: number;
}

export type UpdateVerdict =
  | {
      ok: true;
      /** False when the document already has everything in the update (a resend, a handshake). */
      news: boolean;
      /** Ids of the territories the update writes or deletes. */
      territories: Set<string>;
      /** What else it writes, by part: what a scoped edit link is checked on (shared/access/scope.ts). */
      footprint: UpdateFootprint;
    }
  | { ok: false; problem: string; code: "invalid-update" | "malformed" };

/**
 * Everything an accepted update writes or deletes, worked out while checking
 * it (no extra pass over the update, nothing read from the document beyond
 * what the check reads), so a scoped edit link's update can be judged
 * without applying it.
 */
export interface UpdateFootprint {
  /** Territory maps the update writes under the territories root (a new territory, or one replaced whole). */
  created: Set<string>;
  /** Territories the update deletes. */
  deleted: Set<string>;
  /** Fields written or deleted, per territory. */
  fields: Map<string, Set<string>>;
  /** Each geometry written, decoded (a territory may get several in one update; the last wins). */
  geometries: Map<string, TerritoryGeometry[]>;
  /** `parent` values written. */
  parents: Map<string, unknown>;
  /** Pins written (account id → territory id) or removed (null). */
  pins: Map<string, string | null>;
  /** Units given to a territory, or taken out of one (null). */
  units: Map<string, string | null>;
  /** Plan settings written or deleted. */
  plan: Set<string>;
}

/** An empty footprint. */
export function emptyFootprint(): UpdateFootprint {
  return {
    created: new Set(),
    deleted: new Set(),
    fields: new Map(),
    geometries: new Map(),
    parents: new Map(),
    pins: new Map(),
    units: new Map(),
    plan: new Set(),
  };
}

/** Deleted items walked in one update at most (a deletion of everything in a 100,000-unit plan fits). */
export const MAX_DELETE_WALK = 1_000_000;

function refuse(problem: string, code: "invalid-update" | "malformed" = "invalid-update"): UpdateVerdict {
  return { ok: false, problem, code };
}

class Refused extends Error {
  constructor(
    message: string,
    readonly code: "invalid-update" | "malformed" = "invalid-update",
  ) {
    super(message);
  }
}

const PENDING = "it builds on changes the server does not have (an earlier change of yours was refused)";
const REQUIRED_FIELDS = [TERRITORY_KEYS.name, TERRITORY_KEYS.color, TERRITORY_KEYS.geometry];
/** In a unit plan a territory's shape is its units: no geometry in the document. */
const REQUIRED_UNIT_FIELDS = [TERRITORY_KEYS.name, TERRITORY_KEYS.color];
const KNOWN_FIELDS = new Set<string>(Object.values(TERRITORY_KEYS));

/** Where an item lives: a root map, or the map of one territory (identified by its item). */
type Place =
  | { kind: "root"; root: string }
  | { kind: "territory"; territory: string; map: Y.Item }
  /** Garbage: Yjs integrates it as a GC struct (its parent or neighbour was collected); invisible. */
  | { kind: "void" };

interface Write {
  item: Y.Item;
  place: Place;
  key: string | null;
}

type Decoded = ReturnType<typeof Y.decodeUpdate>;
/** A delete range of an update. */
interface Range {
  clock: number;
  len: number;
}

// biome-ignore lint/suspicious/noExplicitAny: Yjs types its shared types invariantly.
type AnyType = Y.AbstractType<any>;

class UpdateCheck {
  private readonly store: Y.Doc["store"];
  private readonly structs: (Y.Item | Y.GC | Y.Skip)[];
  private readonly ds: Decoded["ds"];
  /** New structs per client, in clock order. */
  private readonly fresh = new Map<number, (Y.Item | Y.GC)[]>();
  /** End clock of each client once the update is applied. */
  private readonly endClock = new Map<number, number>();
  private readonly places = new Map<Y.Item, Place>();
  private readonly keys = new Map<Y.Item, string | null>();
  private readonly resolving = new Set<Y.Item>();
  private readonly roots: Map<AnyType, string>;
  private readonly territoriesRoot: AnyType;
  private readonly touched = new Set<string>();
  private news = false;
  private readonly unitPlan: boolean;
  /** Territory ids the update creates (units may be given to them in the same update). */
  private readonly created = new Set<string>();
  private readonly footprint = emptyFootprint();

  constructor(
    private readonly doc: Y.Doc,
    decoded: Decoded,
    private readonly limits: UpdateLimits,
  ) {
    this.store = doc.store;
    this.structs = decoded.structs;
    this.ds = decoded.ds;
    this.territoriesRoot = territoriesMap(doc) as AnyType;
    this.roots = new Map<AnyType, string>([
      [planMap(doc) as AnyType, ROOTS.plan],
      [this.territoriesRoot, ROOTS.territories],
      [pinsMap(doc) as AnyType, ROOTS.pins],
      [commentsMap(doc) as AnyType, ROOTS.comments],
      // A suggestion is a comment thread with a change attached: server-written like the comments.
      [suggestionsMap(doc) as AnyType, ROOTS.comments],
      [unitsMap(doc) as AnyType, ROOTS.units],
    ]);
    this.unitPlan = readUnitsVersion(doc) > 0;
  }

  run(): UpdateVerdict {
    this.collectFresh();
    const writes: Write[] = [];
    for (const structs of this.fresh.values()) {
      for (const s of structs) {
        if (!(s instanceof Y.Item)) continue;
        writes.push({ item: s, place: this.placeOf(s), key: this.keys.get(s) ?? null });
      }
    }
    for (const w of writes) {
      if (
        w.place.kind === "root" &&
        w.place.root === ROOTS.territories &&
        w.key !== null &&
        !this.deletesFresh(w.item)
      ) {
        this.created.add(w.key);
      }
    }
    for (const w of writes) this.checkWrite(w);
    const removed = this.walkDeletions();
    this.checkRequiredFields(writes, removed);
    this.checkCounts(writes, removed);
    for (const id of this.created) this.footprint.created.add(id);
    return { ok: true, news: this.news, territories: this.touched, footprint: this.footprint };
  }

  // ── structs ──────────────────────────────────────────────────────────────

  private state(client: number): number {
    return Y.getState(this.store, client);
  }

  /** Keeps the structs the document lacks; refuses what would be pending. */
  private collectFresh(): void {
    for (const s of this.structs) {
      const { client, clock } = s.id;
      const known = this.endClock.get(client) ?? this.state(client);
      const end = clock + s.length;
      if (s instanceof Y.Skip) {
        // A hole: fine where the document already has it, pending otherwise.
        if (end > this.state(client)) throw new Refused(PENDING);
        continue;
      }
      if (clock > known) throw new Refused(PENDING);
      if (end <= known) continue; // already known: a resend
      if (clock < known) {
        // Partly known: Yjs integrates the rest. Only deleted content can be split like this here.
        if (s instanceof Y.Item && !(s.content instanceof Y.ContentDeleted)) {
          throw new Refused("the update rewrites part of a change the server already has");
        }
      }
      this.endClock.set(client, end);
      let list = this.fresh.get(client);
      if (!list) {
        list = [];
        this.fresh.set(client, list);
      }
      list.push(s);
      this.news = true;
    }
  }

  /** The struct holding `id`, in the document or the update; refuses when neither has it. */
  private find(id: Y.ID): Y.Item | Y.GC {
    if (id.clock < this.state(id.client)) {
      const structs = this.store.clients.get(id.client) as (Y.Item | Y.GC)[];
      return structs[Y.findIndexSS(structs, id.clock)] as Y.Item | Y.GC;
    }
    const list = this.fresh.get(id.client);
    if (list) {
      let lo = 0;
      let hi = list.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = list[mid] as Y.Item | Y.GC;
        if (id.clock < s.id.clock) hi = mid - 1;
        else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
        else return s;
      }
    }
    throw new Refused(PENDING);
  }

  private isFresh(s: Y.Item | Y.GC): boolean {
    return s.id.clock >= this.state(s.id.client);
  }

  /**
   * Where a new item goes, as `Item.getMissing` decides it: the parent it
   * names, else its origin's (or right origin's) parent and key.
   */
  private placeOf(item: Y.Item): Place {
    const known = this.places.get(item);
    if (known) return known;
    if (this.resolving.has(item)) throw new Refused("the update's changes refer to each other in a loop", "malformed");
    this.resolving.add(item);
    let place: Place;
    let key: string | null = item.parentSub;
    const left = item.origin ? this.find(item.origin) : null;
    const right = item.rightOrigin ? this.find(item.rightOrigin) : null;
    if (left instanceof Y.GC || right instanceof Y.GC) {
      place = { kind: "void" };
    } else if (item.parent === null) {
      const neighbour = (left ?? right) as Y.Item | null;
      if (!neighbour) place = { kind: "void" };
      else {
        place = this.placeOfExisting(neighbour);
        key = this.keyOf(neighbour);
      }
    } else if (typeof (item.parent as unknown) === "string") {
      // Y.decodeUpdate leaves a root's name here (Item's type does not say so).
      const root = item.parent as unknown as string;
      if (!(Object.values(ROOTS) as string[]).includes(root)) {
        throw new Refused(`the update writes outside the plan's schema (root "${root.slice(0, 40)}")`);
      }
      // A suggestion is a comment thread with a change attached: written by the server only, like comments.
      place = { kind: "root", root: root === ROOTS.suggestions ? ROOTS.comments : root };
    } else if (item.parent instanceof Y.ID) {
      const parent = this.find(item.parent);
      if (parent instanceof Y.GC || parent.content instanceof Y.ContentDeleted) place = { kind: "void" };
      else if (!(parent.content instanceof Y.ContentType)) {
        throw new Refused("the update nests data inside a plain value", "malformed");
      } else place = this.mapPlace(parent);
    } else {
      throw new Refused("the update names a parent that cannot exist", "malformed");
    }
    this.resolving.delete(item);
    this.places.set(item, place);
    this.keys.set(item, key);
    return place;
  }

  /** The place of an item that is either new (resolved) or in the document. */
  private placeOfExisting(item: Y.Item): Place {
    if (this.isFresh(item)) return this.placeOf(item);
    const parent = item.parent;
    if (parent === null || !(parent instanceof Y.AbstractType)) return { kind: "void" };
    return this.placeOfType(parent as AnyType);
  }

  private keyOf(item: Y.Item): string | null {
    if (this.isFresh(item)) {
      this.placeOf(item);
      return this.keys.get(item) ?? null;
    }
    return item.parentSub;
  }

  /** The place inside the map that `holder` (a ContentType item) holds. */
  private mapPlace(holder: Y.Item): Place {
    const outer = this.placeOfExisting(holder);
    if (outer.kind === "void") return outer;
    const key = this.keyOf(holder);
    if (outer.kind === "root" && outer.root === ROOTS.territories && key !== null) {
      return { kind: "territory", territory: key, map: holder };
    }
    if (outer.kind === "territory") {
      throw new Refused(
        `territory ${outer.territory}: ${String(key).slice(0, 40)} must be a plain value, not nested data`,
      );
    }
    throw new Refused("the update writes outside the plan's schema (nested data)");
  }

  private placeOfType(type: AnyType): Place {
    const root = this.roots.get(type);
    if (root) return { kind: "root", root };
    const holder = type._item;
    if (holder && holder.parent === this.territoriesRoot && typeof holder.parentSub === "string") {
      return { kind: "territory", territory: holder.parentSub, map: holder };
    }
    throw new Refused("the update writes outside the plan's schema (nested data)");
  }

  // ── values ───────────────────────────────────────────────────────────────

  private checkWrite({ item, place, key }: Write): void {
    if (place.kind === "void") return;
    // Overwritten within the same update (a field set twice in one
    // transaction): never visible, and Yjs drops its content on arrival.
    if (this.deletesFresh(item) && !(place.kind === "root" && place.root === ROOTS.comments)) return;
    const content = item.content;
    if (content instanceof Y.ContentDeleted) {
      if (place.kind === "root" && place.root === ROOTS.comments) throw new Refused(COMMENTS);
      if (place.kind === "territory") this.touched.add(place.territory);
      return;
    }
    if (content instanceof Y.ContentDoc) throw new Refused("a plan cannot hold sub-documents");
    if (place.kind === "territory") {
      this.touched.add(place.territory);
      if (key === null) throw new Refused(`territory ${place.territory} must be a map`);
      if (!KNOWN_FIELDS.has(key)) {
        throw new Refused(`territory ${place.territory} has unknown field "${String(key).slice(0, 40)}"`);
      }
      this.noteField(place.territory, key);
      if (key === TERRITORY_KEYS.geometry) {
        if (this.unitPlan) {
          throw new Refused(`this plan is built from units: paint them to change territory ${place.territory}'s shape`);
        }
        if (!(content instanceof Y.ContentBinary)) throw new Refused(`territory ${place.territory} has no geometry`);
        let decoded: unknown;
        try {
          decoded = decodeGeometry(content.content);
        } catch (e) {
          throw new Refused(`territory ${place.territory} has undecodable geometry: ${(e as Error).message}`);
        }
        const g = validateGeometry(decoded);
        if (!g.ok) throw new Refused(`territory ${place.territory}: ${g.error}`);
        const list = this.footprint.geometries.get(place.territory) ?? [];
        list.push(decoded as TerritoryGeometry);
        this.footprint.geometries.set(place.territory, list);
        return;
      }
      // A nested type is never a field's value (fields are plain values).
      const value = content instanceof Y.ContentType ? NOT_A_VALUE : singleValue(content);
      const problem = checkStoredTerritoryField(key, value);
      if (problem) throw new Refused(`territory ${place.territory}: ${problem}`);
      if (key === TERRITORY_KEYS.parent) this.footprint.parents.set(place.territory, value);
      return;
    }
    switch (place.root) {
      case ROOTS.territories:
        if (key === null) throw new Refused("territories must be a map");
        if (!ID_PATTERN.test(key)) throw new Refused("a territory id must be 1–64 letters, digits, '-' or '_'");
        this.touched.add(key);
        if (!(content instanceof Y.ContentType) || !(content.type instanceof Y.Map)) {
          throw new Refused(`territory ${key} is not a map`);
        }
        return;
      case ROOTS.plan: {
        if (key === null) throw new Refused("plan settings must be a map");
        const problem = checkPlanSetting(key, singleValue(content));
        if (problem) throw new Refused(problem);
        this.footprint.plan.add(key);
        return;
      }
      case ROOTS.pins: {
        if (key === null) throw new Refused("pins must be a map");
        if (!ID_PATTERN.test(key)) throw new Refused("a pin needs a valid account id");
        const value = singleValue(content);
        if (typeof value !== "string" || !ID_PATTERN.test(value)) {
          throw new Refused(`account ${key.slice(0, 40)} must be pinned to a territory id`);
        }
        if (this.limits.accountExists && !this.limits.accountExists(key)) {
          throw new Refused(`there is no account ${key} to pin`);
        }
        this.footprint.pins.set(key, value);
        return;
      }
      case ROOTS.comments:
        throw new Refused(COMMENTS);
      case ROOTS.units: {
        if (key === null) throw new Refused("units must be a map");
        if (!this.unitPlan) throw new Refused("this plan has no units to paint; make a unit layer first");
        if (unitIndex(key, this.limits.unitCount ?? 0) < 0) {
          throw new Refused(`unit ${key.slice(0, 20)} is not in this plan's unit layer`);
        }
        const value = singleValue(content);
        if (typeof value !== "string" || !ID_PATTERN.test(value)) {
          throw new Refused(`unit ${key} must be given to a territory id`);
        }
        if (!territoriesMap(this.doc).has(value) && !this.created.has(value)) {
          throw new Refused(`unit ${key} is given to territory ${value}, which does not exist`);
        }
        this.footprint.units.set(key, value);
        return;
      }
    }
  }

  // ── deletions ────────────────────────────────────────────────────────────

  /**
   * Walks what the update deletes. Returns the live document items it
   * removes; refuses deletions of server-only data and deletions that would
   * wait for changes the server does not have.
   */
  private walkDeletions(): Set<Y.Item> {
    const removed = new Set<Y.Item>();
    let walked = 0;
    for (const [client, ranges] of this.ds.clients) {
      const docEnd = this.state(client);
      const end = this.endClock.get(client) ?? docEnd;
      const structs = this.store.clients.get(client) as (Y.Item | Y.GC)[] | undefined;
      for (const { clock, len } of ranges) {
        if (clock + len > end) throw new Refused(PENDING);
        if (!structs || clock >= docEnd) continue;
        const stop = Math.min(clock + len, docEnd);
        for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
          const s = structs[i] as Y.Item | Y.GC;
          if (s.id.clock >= stop) break;
          if (++walked > MAX_DELETE_WALK) throw new Refused("the update deletes too much at once");
          if (s instanceof Y.Item && !s.deleted) this.removeLive(s, removed);
        }
      }
    }
    return removed;
  }

  private removeLive(item: Y.Item, removed: Set<Y.Item>): void {
    if (removed.has(item)) return;
    removed.add(item);
    this.news = true;
    const place = this.placeOfExisting(item);
    const key = item.parentSub;
    if (place.kind === "territory") {
      this.touched.add(place.territory);
      if (key !== null) this.noteField(place.territory, key);
    } else if (place.kind === "root") {
      if (place.root === ROOTS.comments) throw new Refused(COMMENTS);
      if (place.root === ROOTS.territories && key) {
        this.touched.add(key);
        this.footprint.deleted.add(key);
      }
      // A removed value the update also rewrites is an overwrite: the write says where it goes.
      if (place.root === ROOTS.pins && key !== null && !this.footprint.pins.has(key))
        this.footprint.pins.set(key, null);
      if (place.root === ROOTS.units && key !== null && !this.footprint.units.has(key))
        this.footprint.units.set(key, null);
      if (place.root === ROOTS.plan && key !== null) this.footprint.plan.add(key);
      if (
        place.root === ROOTS.plan &&
        (item.parentSub === PLAN_KEYS.accountsVersion ||
          item.parentSub === PLAN_KEYS.unitsVersion ||
          item.parentSub === PLAN_KEYS.competitorsVersion)
      ) {
        throw new Refused(checkPlanSetting(item.parentSub, undefined) as string);
      }
    }
  }

  private noteField(territory: string, key: string): void {
    const set = this.footprint.fields.get(territory) ?? new Set<string>();
    set.add(key);
    this.footprint.fields.set(territory, set);
  }

  /** Whether the update deletes its own new item (an overwrite within one transaction). */
  private deletesFresh(item: Y.Item): boolean {
    const ranges = this.ds.clients.get(item.id.client);
    if (!ranges) return false;
    const { clock } = item.id;
    return ranges.some((r: Range) => clock < r.clock + r.len && r.clock < clock + item.length);
  }

  // ── whole territories ────────────────────────────────────────────────────

  private isRequired(key: string): boolean {
    return ((this.unitPlan ? REQUIRED_UNIT_FIELDS : REQUIRED_FIELDS) as readonly string[]).includes(key);
  }

  /**
   * Every territory that exists after the update keeps a name, a colour and
   * a geometry: a required field's current value may only be deleted with
   * a new value written after it.
   */
  private checkRequiredFields(writes: Write[], removed: Set<Y.Item>): void {
    /** New writes per territory map item, per key. */
    const byMap = new Map<Y.Item, Map<string, Y.Item[]>>();
    const newMaps = new Map<Y.Item, string>();
    for (const w of writes) {
      if (w.place.kind === "territory" && w.key !== null) {
        let keys = byMap.get(w.place.map);
        if (!keys) {
          keys = new Map();
          byMap.set(w.place.map, keys);
        }
        const list = keys.get(w.key) ?? [];
        list.push(w.item);
        keys.set(w.key, list);
      } else if (
        w.place.kind === "root" &&
        w.place.root === ROOTS.territories &&
        w.key !== null &&
        w.item.content instanceof Y.ContentType
      ) {
        newMaps.set(w.item, w.key);
        if (!byMap.has(w.item)) byMap.set(w.item, new Map());
      }
    }
    /** The current value of each required field the update deletes, per territory map. */
    const removedHeads = new Map<Y.Item, Map<string, Y.Item>>();
    for (const item of removed) {
      const place = this.placeOfExisting(item);
      if (place.kind !== "territory" || item.parentSub === null || !this.isRequired(item.parentSub)) continue;
      const heads = removedHeads.get(place.map) ?? new Map<string, Y.Item>();
      heads.set(item.parentSub, item);
      removedHeads.set(place.map, heads);
      if (!byMap.has(place.map)) byMap.set(place.map, new Map());
    }
    for (const [map, keys] of byMap) {
      // A territory that goes (or never shows) takes its fields with it.
      if (map.deleted || removed.has(map) || (this.isFresh(map) && this.deletesFresh(map))) continue;
      const fresh = newMaps.has(map);
      const territory = fresh ? (newMaps.get(map) as string) : (map.parentSub ?? "");
      for (const key of this.unitPlan ? REQUIRED_UNIT_FIELDS : REQUIRED_FIELDS) {
        const writes = keys.get(key) ?? [];
        const head = removedHeads.get(map)?.get(key) ?? null;
        // Untouched and still there: nothing to check.
        if (!fresh && writes.length === 0 && head === null) continue;
        if (!this.endsAlive(writes, head, fresh)) throw new Refused(missing(territory, key));
      }
    }
  }

  /**
   * Whether a required field surely keeps a live value. Yjs places an item
   * after its origin, so whichever new item ends last is one that no other
   * new item names as origin: every such item must be alive (a deleted one
   * ending last would delete the field). When the update deletes the current
   * value `head`, some new item must come after it (name it as origin); a
   * new territory needs a new value for the field.
   */
  private endsAlive(writes: Y.Item[], head: Y.Item | null, fresh: boolean): boolean {
    if ((head || fresh) && writes.length === 0) return false;
    if (head && !writes.some((w) => w.origin !== null && sameId(w.origin, head.lastId))) return false;
    for (const w of writes) {
      const followed = writes.some((g) => g !== w && g.origin !== null && sameId(g.origin, w.lastId));
      if (followed) continue;
      if (w.content instanceof Y.ContentDeleted || this.deletesFresh(w)) return false;
    }
    return true;
  }

  private checkCounts(writes: Write[], removed: Set<Y.Item>): void {
    const max = this.limits.maxTerritories;
    if (max !== undefined) {
      const territories = territoriesMap(this.doc);
      const added = new Set<string>();
      for (const w of writes) {
        if (w.place.kind === "root" && w.place.root === ROOTS.territories && w.key && !territories.has(w.key)) {
          added.add(w.key);
        }
      }
      let gone = 0;
      for (const item of removed) if (item.parent === this.territoriesRoot) gone++;
      if (added.size > 0 && territories.size + added.size - gone > max) {
        throw new Refused(`the plan has reached its limit of ${max} territories`);
      }
    }
    const maxPins = this.limits.maxPins;
    if (maxPins !== undefined) {
      const pins = pinsMap(this.doc);
      let added = 0;
      for (const w of writes) {
        if (w.place.kind === "root" && w.place.root === ROOTS.pins && w.key && !pins.has(w.key)) added++;
      }
      if (added > 0 && pins.size + added > maxPins) {
        throw new Refused(`a plan can pin at most ${maxPins} accounts`);
      }
    }
  }
}

const COMMENTS = "comments are written by the server for you; post them through the comments panel or the API";

function missing(territory: string, key: string): string {
  return key === TERRITORY_KEYS.geometry
    ? `territory ${territory} has no geometry`
    : `territory ${territory} needs a name and a color`;
}

function sameId(a: Y.ID, b: Y.ID): boolean {
  return a.client === b.client && a.clock === b.clock;
}

/** The one plain value a map entry holds; a type or several values stand for "not a plain value". */
function singleValue(content: Y.Item["content"]): unknown {
  if (content instanceof Y.ContentAny && content.arr.length === 1) return content.arr[0];
  if (content instanceof Y.ContentBinary) return content.content;
  if (content instanceof Y.ContentType) return content.type;
  return NOT_A_VALUE;
}

const NOT_A_VALUE = Symbol("not a plain value");

/** A plan setting a client may write; the sentence for one it may not. */
export function checkPlanSetting(key: string, value: unknown): string | null {
  switch (key) {
    case PLAN_KEYS.name:
      if (value === undefined) return null;
      if (typeof value !== "string" || value.trim().length === 0 || value.length > LIMITS.name) {
        return `plan name must be text of 1–${LIMITS.name} characters`;
      }
      return null;
    case PLAN_KEYS.accountsVersion:
      return "the accounts version is set by the server when accounts are imported";
    case PLAN_KEYS.unitsVersion:
      return "the unit layer is set by the server; make or remove it in the Units panel or over the API";
    case PLAN_KEYS.competitorsVersion:
      return "the competitors version is set by the server when competitors are imported";
    case PLAN_KEYS.allowedDeviation:
      if (value === undefined || isAllowedDeviation(value)) return null;
      return "the allowed deviation must be a number between 0.01 and 1";
    default:
      return `unknown plan setting "${key.slice(0, 40)}"`;
  }
}
