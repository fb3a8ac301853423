import {
  checkScope,
  compileScope,
  type LinkScope,
  MAX_SCOPE_TERRITORIES,
  type ScopeContext,
  type ScopeTest,
  type ScopeVerdict,
} from "../../shared/access/scope.ts";
import type { DocChanges } from "../../shared/doc/changes.ts";
import type { UpdateFootprint } from "../../shared/doc/check-update.ts";
import { isUnitPlan, TERRITORY_KEYS, territoriesMap } from "../../shared/doc/schema.ts";
import { BoxGrid } from "../../shared/geometry/box-grid.ts";
import { decodeGeometry, geometryBox } from "../../shared/geometry/codec.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { Scoring } from "../scoring/scoring.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { PeerScope, Room } from "../rooms/room.ts";
import type { LabelledLink } from "./tokens.ts";
import { logger } from "../ops/log.ts";

const accessLog = logger("access");

/** A scoped link as one socket or REST call holds it: its live scope and how to check a change against it. */
export interface ScopeGuard extends PeerScope {
  readonly linkId: string;
  readonly label: string;
  /** The scope as it is now (a list grows as its holder draws territories). */
  readonly test: ScopeTest;
}

/**
 * The scopes of a server's scoped links (issue 15), live: one compiled
 * scope per link, shared by its sockets and REST calls, so a territory one
 * of them draws is in scope for all of them at once; the ids it adds are
 * written to the link's record (plan.json) right after. And, per loaded room
 * that a scoped link has changed, the boxes of its territories, so a new
 * shape is tested only against the territories near it (a room extension
 * keeps them current).
 */
export class LinkScopes implements RoomExtension {
  readonly name = "link-scopes";
  /** planId → linkId → its live scope. */
  private readonly live = new Map<string, Map<string, ScopeTest>>();
  private readonly grids = new WeakMap<Room, GridEntry>();
  /** Writes of adopted ids, one after another per plan. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly store: PlanStore,
    /** The live analysis, for where an account lies (null with SCORING=0: pins are checked by their territories only). */
    private readonly scoring: Scoring | null = null,
  ) {}

  /** The live scope of a link; null for an unscoped one. */
  testOf(planId: string, link: LabelledLink | null): ScopeTest | null {
    if (!link?.scope) return null;
    let plan = this.live.get(planId);
    if (!plan) {
      plan = new Map();
      this.live.set(planId, plan);
    }
    let test = plan.get(link.id);
    if (!test) {
      test = compileScope(link.scope);
      plan.set(link.id, test);
    }
    return test;
  }

  /** A scoped link's guard in a room: what the room asks before applying its holder's change. */
  guard(room: Room, link: LabelledLink): ScopeGuard | null {
    const test = this.testOf(room.address.planId, link);
    if (!test) return null;
    this.prepare(room);
    return {
      linkId: link.id,
      label: link.label,
      test,
      check: (footprint: UpdateFootprint): ScopeVerdict => checkScope(room.doc, footprint, test, this.contextOf(room)),
      accepted: (verdict) => {
        if (verdict.ok && verdict.adopted.length > 0) this.adopt(room.address.planId, link.id, verdict.adopted);
      },
    };
  }

  /** Forgets a link (deleted) or a plan (deleted). */
  forget(planId: string, linkId?: string): void {
    if (linkId === undefined) this.live.delete(planId);
    else this.live.get(planId)?.delete(linkId);
  }

  /**
   * New territories join a scope by ids: in memory now (the holder's next
   * change may already touch them), in the link's record right after. A
   * crash between the change and that write leaves the territory out of the
   * scope (an unscoped manager can add it by making the link again).
   */
  adopt(planId: string, linkId: string, ids: readonly string[]): void {
    const test = this.live.get(planId)?.get(linkId);
    if (!test?.ids) return;
    const set = test.ids as Set<string>;
    for (const id of ids) if (set.size < MAX_SCOPE_TERRITORIES) set.add(id);
    const write = (this.writes.get(planId) ?? Promise.resolve()).then(() =>
      this.store
        .updatePlan(planId, (meta) => {
          const labelled = meta.access?.labelled;
          if (!meta.access || !labelled) return meta;
          return {
            ...meta,
            access: {
              ...meta.access,
              labelled: labelled.map((l) => (l.id === linkId ? { ...l, scope: withIds(l.scope, ids) } : l)),
            },
          };
        })
        .then(() => undefined)
        .catch((e: Error) =>
          accessLog.error({ planId }, `could not add ${ids.join(", ")} to link ${linkId}'s scope: ${e.message}`),
        ),
    );
    this.writes.set(planId, write);
    void write.then(() => {
      if (this.writes.get(planId) === write) this.writes.delete(planId);
    });
  }

  /** Resolves once every adopted id so far is written (tests, shutdown). */
  async settled(planId: string): Promise<void> {
    await this.writes.get(planId);
  }

  /** What the scope check reads beside the document: the territories near a box, and their shapes. */
  contextOf(room: Room): ScopeContext {
    const plan = room.address.planId;
    return {
      near: (box) => this.gridOf(room).near(box),
      geometryOf: (id) => geometryOf(room, id),
      accountTerritories: (account) => this.scoring?.get(plan)?.territoryOfAccount(account) ?? [],
    };
  }

  /**
   * Starts indexing a room's territory boxes in slices of a few
   * milliseconds, so a scoped socket joining a large plan never holds the
   * event loop (5,000 territories of 200 vertices: about 65–225 ms in all on
   * a 2-core machine); a check that comes first finishes it at once.
   */
  prepare(room: Room): void {
    if (this.grids.has(room)) return;
    const entry: GridEntry = { grid: new BoxGrid(), pending: null };
    this.grids.set(room, entry);
    if (isUnitPlan(room.doc)) return;
    entry.pending = [...territoriesMap(room.doc).keys()];
    const step = () => {
      if (this.grids.get(room) !== entry || !entry.pending) return;
      const stop = performance.now() + SLICE_MS;
      while (entry.pending.length > 0 && performance.now() < stop) {
        const id = entry.pending.pop() as string;
        entry.grid.set(id, boxOfTerritory(room, id));
      }
      if (entry.pending.length > 0) setImmediate(step);
      else entry.pending = null;
    };
    setImmediate(step);
  }

  /** The room's territory boxes, complete (finishing what `prepare` started). */
  private gridOf(room: Room): BoxGrid {
    this.prepare(room);
    const entry = this.grids.get(room) as GridEntry;
    if (entry.pending) {
      for (const id of entry.pending) entry.grid.set(id, boxOfTerritory(room, id));
      entry.pending = null;
    }
    return entry.grid;
  }

  onChange(room: Room, changes: DocChanges): void {
    const grid = this.grids.get(room)?.grid;
    if (!grid) return;
    for (const [id, fields] of changes.territories) {
      if (fields === null || fields.has(TERRITORY_KEYS.geometry)) grid.set(id, boxOfTerritory(room, id));
    }
  }

  onClose(room: Room): void {
    this.grids.delete(room);
  }
}

/** A room's box index, and the territories not yet in it while it is built in slices. */
interface GridEntry {
  grid: BoxGrid;
  pending: string[] | null;
}

/** The longest one slice of indexing holds the event loop. */
const SLICE_MS = 8;

function withIds(scope: LinkScope | null, ids: readonly string[]): LinkScope | null {
  if (!scope || !("territories" in scope)) return scope;
  const all = new Set(scope.territories);
  for (const id of ids) all.add(id);
  return { territories: [...all].slice(0, MAX_SCOPE_TERRITORIES) };
}

function geometryOf(room: Room, id: string): TerritoryGeometry | null {
  const bytes = territoriesMap(room.doc).get(id)?.get(TERRITORY_KEYS.geometry);
  if (!(bytes instanceof Uint8Array)) return null;
  try {
    return decodeGeometry(bytes);
  } catch {
    return null;
  }
}

function boxOfTerritory(room: Room, id: string) {
  const bytes = territoriesMap(room.doc).get(id)?.get(TERRITORY_KEYS.geometry);
  return bytes instanceof Uint8Array ? geometryBox(bytes) : null;
}
