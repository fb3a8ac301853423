import type * as Y from "yjs";
import type { ActivityEntry, MetricSnapshot } from "../../shared/activity/activity.ts";
import type { Author } from "../../shared/comments/comments.ts";
import { isOrigin } from "../../shared/doc/origins.ts";
import { PLAN_KEYS, readUnitAssignment, TERRITORY_KEYS, territoriesMap, unitsMap } from "../../shared/doc/schema.ts";
import { decodeGeometry } from "../../shared/geometry/codec.ts";
import { bboxOf } from "../../shared/geometry/types.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { DocChanges } from "../../shared/doc/changes.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room } from "../rooms/room.ts";
import type { Scoring } from "../scoring/scoring.ts";
import type { Units } from "../units/units.ts";
import { activityFrame, type NewEntry, PlanFeed } from "./feed.ts";
import { logger } from "../ops/log.ts";

const activityLog = logger("activity");

/**
 * The activity feeds of open plans. Each plan's main room gets a feed when
 * it loads; territory changes are read from the document's transactions and
 * attributed from their origin (the connection's link and name, or the
 * REST caller), never from anything inside the update.
 */
export class Activity implements RoomExtension {
  readonly name = "activity";
  private readonly feeds = new Map<string, PlanFeed>();
  private readonly recorders = new Map<string, TerritoryRecorder>();
  /** Feeds of closed rooms still being saved. */
  private readonly saving = new Map<string, Promise<void>>();

  constructor(
    private readonly store: PlanStore,
    private readonly scoring: Scoring | null,
    /** Where a stroke's units are, for its entries' box (null: entries without one). */
    private readonly units: Pick<Units, "centresBox"> | null = null,
  ) {}

  /** A plan's main room loaded: its feed, and a recorder of its territory changes. */
  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const planId = room.address.planId;
    const stored = await this.store.getActivity(planId);
    const feed = new PlanFeed(planId, this.store, stored, (entries) => {
      const frame = activityFrame(entries);
      for (const peer of room.peers) peer.sendFrame(frame);
    });
    this.feeds.set(planId, feed);
    const recorder = new TerritoryRecorder(
      room,
      feed,
      () => this.scoring?.get(planId)?.latestAnalysis ?? null,
      (keys) => this.units?.centresBox(room, keys),
    );
    this.recorders.set(planId, recorder);
    this.scoring?.get(planId)?.analysisListeners.add(recorder.fillMetrics);
  }

  onChange(room: Room, changes: DocChanges, tr: Y.Transaction): void {
    const recorder = this.recorders.get(room.address.planId);
    if (recorder?.room === room) recorder.record(changes, tr);
  }

  onClose(room: Room): void {
    const planId = room.address.planId;
    const recorder = this.recorders.get(planId);
    if (recorder?.room !== room) return;
    this.recorders.delete(planId);
    this.scoring?.get(planId)?.analysisListeners.delete(recorder.fillMetrics);
    const feed = this.feeds.get(planId);
    if (!feed) return;
    this.feeds.delete(planId);
    const saved = feed.close().catch((e: Error) => activityLog.error({ planId, err: e }, "saving the feed failed"));
    this.saving.set(planId, saved);
    saved.finally(() => {
      if (this.saving.get(planId) === saved) this.saving.delete(planId);
    });
  }

  get(planId: string): PlanFeed | undefined {
    return this.feeds.get(planId);
  }

  /** Resolves once the feed of a closed room is on disk (before its plan's files are removed). */
  async saved(planId: string): Promise<void> {
    await this.saving.get(planId);
  }
}

/** Field of a territory → what the feed calls its change. */
const FIELD_KIND: Record<string, "renamed" | "reshaped" | "updated"> = {
  [TERRITORY_KEYS.name]: "renamed",
  [TERRITORY_KEYS.geometry]: "reshaped",
};

type Box = [number, number, number, number];

/** Turns a room's territory transactions into feed entries. */
class TerritoryRecorder {
  /** Names as last seen, to name deleted territories and renames' old names. */
  private readonly names = new Map<string, string>();
  /**
   * Which unit is whose, as last seen (unit key → territory id): a stroke's
   * transaction says which keys it wrote, and this says whom they left.
   */
  private owners: Map<string, string>;
  /** Reshape and stroke entries still waiting for the analysis that shows their effect. */
  private readonly awaitingMetrics = new Set<ActivityEntry>();
  private readonly territories: Y.Map<Y.Map<unknown>>;

  constructor(
    readonly room: Room,
    private readonly feed: PlanFeed,
    private readonly latest: () => AnalysisMessage | null,
    private readonly unitsBox: (keys: Iterable<string>) => Box | undefined,
  ) {
    this.territories = territoriesMap(room.doc) as Y.Map<Y.Map<unknown>>;
    for (const [id, map] of this.territories) this.names.set(id, nameOf(map, id));
    this.owners = readUnitAssignment(room.doc);
  }

  private actorOf(origin: unknown): Author | null {
    if (!isOrigin(origin)) return null;
    if (origin.kind === "connection") {
      for (const peer of this.room.peers) if (peer.id === origin.connectionId) return peer.actor;
      return null;
    }
    if (origin.kind === "rest") return origin.actor ?? null;
    return null;
  }

  /** One transaction's territory changes as feed entries (shared/doc/changes.ts says what changed). */
  record(changes: DocChanges, tr: Y.Transaction): void {
    // A unit layer made, replaced or removed (only the server writes its
    // version) is one step with its own entry (units-created, units-removed,
    // recorded by its REST call): its territory and unit writes are not
    // reshapes or strokes of anyone's.
    const layerChanged = changes.plan.has(PLAN_KEYS.unitsVersion);
    const actor = layerChanged ? null : this.actorOf(tr.origin);
    /** Territories this transaction added or deleted: their own entry says it, not a stroke's. */
    const madeOrGone = new Set<string>();
    for (const [id, fields] of changes.territories) {
      const map = this.territories.get(id);
      if (fields === null) {
        // Added, deleted or replaced whole.
        if (!map) {
          if (this.names.has(id)) this.log(actor, "territory-deleted", id, null);
          this.names.delete(id);
          madeOrGone.add(id);
        } else {
          const known = this.names.has(id);
          this.names.set(id, nameOf(map, id));
          this.log(actor, known ? "territory-updated" : "territory-created", id, map);
          if (!known) madeOrGone.add(id);
        }
        continue;
      }
      if (!map) continue;
      const other: string[] = [];
      for (const key of fields) {
        const kind = FIELD_KIND[key] ?? "updated";
        if (kind === "renamed") {
          const from = this.names.get(id) ?? id;
          const to = nameOf(map, id);
          this.names.set(id, to);
          if (from !== to) this.log(actor, "territory-renamed", id, map, { from, to });
        } else if (kind === "reshaped") {
          this.log(actor, "territory-reshaped", id, map);
        } else {
          other.push(key);
        }
      }
      if (other.length > 0) this.log(actor, "territory-updated", id, map, { fields: other });
    }
    if (layerChanged) this.owners = readUnitAssignment(this.room.doc);
    else if (changes.units.size > 0) this.recordStroke(actor, changes.units, madeOrGone);
  }

  /**
   * A paint stroke (one transaction, whether from a socket or PATCH …/units):
   * one entry per territory that gained or lost units, with how many and the
   * box of their centres. Units taken out with no new territory (the
   * modifier) count as painted out of the territory they left.
   */
  private recordStroke(actor: Author | null, keys: Set<string>, skip: ReadonlySet<string>): void {
    const units = unitsMap(this.room.doc);
    const gained = new Map<string, string[]>();
    const lost = new Map<string, string[]>();
    for (const key of keys) {
      const before = this.owners.get(key) ?? null;
      const now = units.get(key);
      const after = typeof now === "string" ? now : null;
      if (after === null) this.owners.delete(key);
      else this.owners.set(key, after);
      if (before === after) continue;
      if (before !== null) pushTo(lost, before, key);
      if (after !== null) pushTo(gained, after, key);
    }
    if (!actor) return;
    // Those that lost first, so the territory painted into is the newest entry.
    const ids = new Set([...lost.keys(), ...gained.keys()]);
    for (const id of ids) {
      const map = this.territories.get(id);
      if (!map || skip.has(id)) continue;
      const inUnits = gained.get(id) ?? [];
      const outUnits = lost.get(id) ?? [];
      const entry: NewEntry = {
        kind: "territory-painted",
        actor,
        territoryId: id,
        territoryName: nameOf(map, id),
        details: {
          count: inUnits.length + outUnits.length,
          gained: inUnits.length,
          lost: outUnits.length,
          before: this.metricsOf(id),
          after: null,
        },
      };
      const box = this.unitsBox([...inUnits, ...outUnits]);
      if (box) entry.box = box;
      this.awaitingMetrics.add(this.feed.record(entry, { coalesce: true }));
    }
  }

  private log(
    actor: Author | null,
    kind: ActivityEntry["kind"],
    id: string,
    map: Y.Map<unknown> | null,
    details?: ActivityEntry["details"],
  ): void {
    // Changes without a person behind them (storage, demo seeding) are not activity.
    if (!actor) return;
    const entry: NewEntry = {
      kind,
      actor,
      territoryId: id,
      territoryName: map ? nameOf(map, id) : (this.names.get(id) ?? id),
      ...(details ? { details } : {}),
    };
    const box = map ? boxOf(map) : undefined;
    if (box) entry.box = box;
    if (kind === "territory-reshaped" || kind === "territory-created") {
      entry.details = {
        ...entry.details,
        before: kind === "territory-created" ? null : this.metricsOf(id),
        after: null,
      };
    }
    const coalesce = kind === "territory-reshaped" || kind === "territory-updated" || kind === "territory-renamed";
    const recorded = this.feed.record(entry, { coalesce });
    if (kind === "territory-reshaped" || kind === "territory-created") this.awaitingMetrics.add(recorded);
  }

  private metricsOf(id: string, analysis = this.latest()): MetricSnapshot | null {
    const m = analysis?.territories.find((t) => t.id === id);
    return m ? { accounts: m.accounts, sums: { ...m.sums }, areaKm2: m.areaKm2 } : null;
  }

  /** A new analysis: reshapes and strokes recorded since the previous one now show their effect. */
  readonly fillMetrics = (analysis: AnalysisMessage): void => {
    const changed: ActivityEntry[] = [];
    for (const entry of this.awaitingMetrics) {
      if (!entry.territoryId) continue;
      const after = this.metricsOf(entry.territoryId, analysis);
      entry.details = { ...entry.details, after };
      changed.push(entry);
    }
    this.awaitingMetrics.clear();
    this.feed.changed(changed);
  };
}

function pushTo(m: Map<string, string[]>, id: string, key: string): void {
  const list = m.get(id);
  if (list) list.push(key);
  else m.set(id, [key]);
}

function nameOf(map: Y.Map<unknown>, id: string): string {
  const name = map.get(TERRITORY_KEYS.name);
  return typeof name === "string" ? name : id;
}

function boxOf(map: Y.Map<unknown>): [number, number, number, number] | undefined {
  const bytes = map.get(TERRITORY_KEYS.geometry);
  if (!(bytes instanceof Uint8Array)) return undefined;
  try {
    const box = bboxOf(decodeGeometry(bytes));
    return box.every(Number.isFinite) ? box : undefined;
  } catch {
    return undefined;
  }
}
