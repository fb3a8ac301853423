import type { Origin } from "../../shared/doc/origins.ts";
import {
  isUnitPlan,
  readTerritories,
  readTerritoryList,
  readUnitAssignment,
  readUnitsVersion,
  territoriesMap,
  unitsMap,
  writeTerritory,
  writeUnitsVersion,
} from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import { latLngToCell } from "h3-js";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { assignByCentre, carryOver, writeUnitLayer } from "../../shared/units/convert.ts";
import { unitIndex, unitKey } from "../../shared/units/layer.ts";
import type { UnitLayerJson } from "../../shared/units/serialize.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { RoomExtension } from "../rooms/extension.ts";
import type { Room } from "../rooms/room.ts";
import { logger } from "../ops/log.ts";

const unitsLog = logger("units");

/** What the main thread keeps of a plan's layer: enough to check, address and list units. */
export interface LayerIndex {
  kind: UnitLayerJson["kind"];
  resolution: number | null;
  version: number;
  ids: string[];
  names: string[];
  /** Unit id → index. */
  indexOf: Map<string, number>;
  /** Each unit's centre (a point inside it). */
  lon: Float64Array;
  lat: Float64Array;
}

/**
 * A plan's unit layer on the server (issue 12): loads it with the room and
 * tells the room how many units there are (the socket check needs it),
 * reconciles the document with the stored layer after a crash, and turns a
 * drawn plan into a unit plan and back. The layer itself is built in the
 * jobs worker (server/jobs/), never on the event loop.
 *
 * Order of writes, so a crash at any moment leaves a plan that loads: the
 * layer file first (atomic), then the document's change (units, geometry,
 * layer version); on load, a layer file newer than the document's version
 * is a conversion that did not finish, and is finished.
 */
export class Units implements RoomExtension {
  readonly name = "units";
  private readonly layers = new Map<string, LayerIndex>();

  constructor(private readonly store: PlanStore) {}

  async onLoad(room: Room): Promise<void> {
    if (room.address.part !== "") return;
    const planId = room.address.planId;
    const stored = await this.store.getData(planId, "units");
    const docVersion = readUnitsVersion(room.doc);
    if (!stored) {
      if (docVersion > 0) {
        unitsLog.error({ planId }, `the document has unit layer ${docVersion} but no layer is stored`);
      }
      return;
    }
    const index = indexOf(stored);
    this.layers.set(planId, index);
    room.unitCount = index.ids.length;
    if (docVersion === stored.version) return;
    unitsLog.info(
      { planId },
      `stored layer ${stored.version}, document at ${docVersion}; finishing the change that a restart interrupted`,
    );
    await room.change({ kind: "system", reason: "finish a unit layer change" }, (doc) => {
      const assignment = isUnitPlan(doc) ? keptAssignment(doc, index) : this.byCentre(doc, stored);
      writeUnitLayer(doc, assignment, stored.version);
    });
  }

  onClose(room: Room): void {
    if (room.address.part === "") this.layers.delete(room.address.planId);
  }

  /** The loaded layer of a plan whose room is open (null: none). */
  layerOf(room: Room): LayerIndex | null {
    return this.layers.get(room.address.planId) ?? null;
  }

  /**
   * The territory under a point of a unit plan (a comment's pin): the
   * hexagon holding it, or for admin areas the one whose centre is nearest.
   */
  territoryAt(room: Room, at: readonly [number, number]): string | null {
    const layer = this.layers.get(room.address.planId);
    if (!layer) return null;
    let u = -1;
    if (layer.kind === "h3" && layer.resolution !== null) {
      u = layer.indexOf.get(latLngToCell(at[1], at[0], layer.resolution)) ?? -1;
    } else {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < layer.ids.length; i++) {
        const d = ((layer.lon[i] as number) - at[0]) ** 2 + ((layer.lat[i] as number) - at[1]) ** 2;
        if (d < best) {
          best = d;
          u = i;
        }
      }
    }
    if (u < 0) return null;
    const t = unitsMap(room.doc).get(unitKey(u));
    return typeof t === "string" && territoriesMap(room.doc).has(t) ? t : null;
  }

  /**
   * The lon/lat box of these units' centres (document keys, as a stroke
   * writes them), for the activity feed to zoom to; undefined when the plan
   * has no layer or none of the keys is one of its units.
   */
  centresBox(room: Room, keys: Iterable<string>): [number, number, number, number] | undefined {
    const layer = this.layers.get(room.address.planId);
    if (!layer) return undefined;
    let minLon = Number.POSITIVE_INFINITY;
    let minLat = Number.POSITIVE_INFINITY;
    let maxLon = Number.NEGATIVE_INFINITY;
    let maxLat = Number.NEGATIVE_INFINITY;
    for (const key of keys) {
      const u = unitIndex(key, layer.ids.length);
      if (u < 0) continue;
      const lon = layer.lon[u] as number;
      const lat = layer.lat[u] as number;
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
    return minLon <= maxLon ? [minLon, minLat, maxLon, maxLat] : undefined;
  }

  /** Units whose centre lies inside `area` (a Fill ring, a new territory's shape). */
  unitsInside(room: Room, area: TerritoryGeometry): number[] {
    const layer = this.layers.get(room.address.planId);
    if (!layer) return [];
    return [...assignByCentre(layer.lon, layer.lat, [{ id: "x", geometry: area }]).keys()];
  }

  /** The next layer version for a plan: never one a stored or kept layer has. */
  async nextVersion(room: Room): Promise<number> {
    const stored = this.layers.get(room.address.planId)?.version ?? 0;
    // Past the layers kept for versions too (issue 14): a number names one layer, even after the plan went back to drawn.
    const kept = await this.store.keptVersions(room.address.planId, "units");
    return Math.max(stored, readUnitsVersion(room.doc), ...kept) + 1;
  }

  /**
   * Makes `layer` the plan's unit layer: a drawn plan is converted (each
   * unit to the territory holding its centre, each territory's shape then
   * its units), a unit plan keeps the assignments of units whose id
   * survives. One change for everyone. Returns how many units are assigned.
   */
  async install(room: Room, layer: UnitLayerJson, origin: Origin): Promise<{ assigned: number; unassigned: number }> {
    const planId = room.address.planId;
    const before = this.layers.get(planId) ?? null;
    await this.store.putData(planId, "units", layer);
    const index = indexOf(layer);
    this.layers.set(planId, index);
    // Wider first, so no socket is refused a key of the new layer meanwhile; the change below narrows nothing.
    room.unitCount = Math.max(room.unitCount, index.ids.length);
    let assigned = 0;
    await room.change(origin, (doc) => {
      const assignment =
        isUnitPlan(doc) && before
          ? carryOver(before.ids, assignmentIndices(doc, before), index.ids)
          : this.byCentre(doc, layer);
      assigned = assignment.size;
      writeUnitLayer(doc, assignment, layer.version);
    });
    room.unitCount = index.ids.length;
    return { assigned, unassigned: index.ids.length - assigned };
  }

  /**
   * Back to drawn territories: each territory takes the outline of its
   * units as its shape (`outlines`, computed off the event loop), the unit
   * entries go, and the layer file is removed once the document no longer
   * needs it.
   */
  async remove(room: Room, outlines: Record<string, TerritoryGeometry | null>, origin: Origin): Promise<number> {
    let kept = 0;
    await room.change(origin, (doc) => {
      for (const t of readTerritoryList(doc)) {
        const geometry = outlines[t.id];
        if (geometry) {
          writeTerritory(doc, { ...t, geometry } satisfies Territory);
          kept++;
        } else {
          // A territory without units has no shape to keep.
          territoriesMap(doc).delete(t.id);
        }
      }
      unitsMap(doc).clear();
      writeUnitsVersion(doc, 0);
    });
    room.unitCount = 0;
    this.layers.delete(room.address.planId);
    await this.store.putData(room.address.planId, "units", null);
    return kept;
  }

  /**
   * A restored version's unit layer (issue 14), stored and indexed before
   * the change that writes its version into the document (as `install`
   * does, so a restart finishes what a crash interrupted); the change gives
   * the units their territories itself. Call `settleLayer` after it.
   */
  async prepareLayer(room: Room, layer: UnitLayerJson): Promise<void> {
    await this.store.putData(room.address.planId, "units", layer);
    const index = indexOf(layer);
    this.layers.set(room.address.planId, index);
    room.unitCount = Math.max(room.unitCount, index.ids.length);
  }

  /** After the change that wrote a prepared layer's version: the socket check takes its units. */
  settleLayer(room: Room): void {
    room.unitCount = this.layers.get(room.address.planId)?.ids.length ?? 0;
  }

  /**
   * After a change that took the plan back to drawn territories (a restored
   * version): the layer goes, the document no longer needs it.
   */
  async dropLayer(room: Room): Promise<void> {
    room.unitCount = 0;
    this.layers.delete(room.address.planId);
    await this.store.putData(room.address.planId, "units", null);
  }

  /** Each unit to the territory holding its centre, from the document's drawn shapes. */
  private byCentre(doc: Room["doc"], layer: UnitLayerJson): Map<number, string> {
    return assignByCentre(
      Float64Array.from(layer.lon),
      Float64Array.from(layer.lat),
      readTerritories(doc).map((t) => ({ id: t.id, geometry: t.geometry })),
    );
  }
}

function indexOf(layer: UnitLayerJson): LayerIndex {
  return {
    kind: layer.kind,
    resolution: layer.resolution,
    version: layer.version,
    ids: layer.ids,
    names: layer.names,
    indexOf: new Map(layer.ids.map((id, i) => [id, i])),
    lon: Float64Array.from(layer.lon),
    lat: Float64Array.from(layer.lat),
  };
}

/** The document's assignment as unit index → territory id, for a layer. */
function assignmentIndices(doc: Room["doc"], layer: LayerIndex): Map<number, string> {
  const out = new Map<number, string>();
  for (const [key, t] of readUnitAssignment(doc)) {
    const u = unitIndex(key, layer.ids.length);
    if (u >= 0) out.set(u, t);
  }
  return out;
}

/** A unit plan's assignment kept for a layer whose keys it already uses. */
function keptAssignment(doc: Room["doc"], layer: LayerIndex): Map<number, string> {
  return assignmentIndices(doc, layer);
}
