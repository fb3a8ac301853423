import type * as Y from "yjs";
import {
  hasTerritory,
  isUnitPlan,
  readTerritories,
  readTerritoryList,
  readTerritory,
  territoryIds,
  updateTerritory,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import {
  type Territory,
  type TerritoryProps,
  validateNewTerritory,
  validateTerritoryId,
  validateTerritoryPatch,
} from "../../shared/doc/territory.ts";
import { validateGeometry } from "../../shared/geometry/validate.ts";
import { newId } from "../../shared/ids.ts";
import { HttpError } from "./http.ts";

/** Most features one POST may create. */
export const MAX_FEATURES_PER_REQUEST = 5_000;

export interface TerritoryPut {
  geometry?: Territory["geometry"];
  patch: Partial<TerritoryProps>;
}

export interface TerritoryFeature {
  type: "Feature";
  id: string;
  /** Null for a unit territory without units (it has no shape yet). */
  geometry: Territory["geometry"] | null;
  properties: Omit<Territory, "geometry">;
}

export function toFeature(t: Territory): TerritoryFeature {
  const { geometry, ...properties } = t;
  return { type: "Feature", id: t.id, geometry, properties };
}

export function toFeatureCollection(doc: Y.Doc) {
  return { type: "FeatureCollection" as const, features: readTerritories(doc).map(toFeature) as TerritoryFeature[] };
}

/**
 * The plan's territories as GeoJSON, whatever the plan is made of: drawn
 * shapes as stored, or in a unit plan each territory's outline (the union of
 * its units, MultiPolygon when in pieces, null without units), computed by
 * the scoring worker (`outlines`).
 */
export async function planFeatureCollection(
  doc: Y.Doc,
  outlines: (ids: string[]) => Promise<Record<string, Territory["geometry"] | null>>,
) {
  if (!isUnitPlan(doc)) return toFeatureCollection(doc);
  const list = readTerritoryList(doc);
  const shapes = await outlines(list.map((t) => t.id));
  return {
    type: "FeatureCollection" as const,
    features: list.map(
      (t): TerritoryFeature => ({ type: "Feature", id: t.id, geometry: shapes[t.id] ?? null, properties: { ...t } }),
    ),
  };
}

/**
 * Validates a POST body (Feature or FeatureCollection) against the current
 * document, all or nothing: one bad feature refuses the whole request.
 */
export function parseNewTerritories(body: unknown, doc: Y.Doc): Territory[] {
  const b = body as { type?: unknown; features?: unknown };
  let features: unknown[];
  if (b?.type === "Feature") features = [body];
  else if (b?.type === "FeatureCollection" && Array.isArray(b.features)) features = b.features;
  else throw new HttpError(400, "Send a GeoJSON Feature or FeatureCollection of Polygon/MultiPolygon territories.");
  if (features.length === 0) throw new HttpError(400, "The FeatureCollection has no features.");
  if (features.length > MAX_FEATURES_PER_REQUEST) {
    throw new HttpError(413, `At most ${MAX_FEATURES_PER_REQUEST} territories per request.`);
  }
  const existing = territoryIds(doc).length;
  const seen = new Set<string>();
  const out: Territory[] = [];
  for (let i = 0; i < features.length; i++) {
    const f = features[i] as { type?: unknown; id?: unknown; geometry?: unknown; properties?: unknown } | null;
    const where = features.length > 1 ? `Feature ${i + 1}: ` : "";
    if (f?.type !== "Feature") throw new HttpError(400, `${where}not a GeoJSON Feature.`);
    const props = (f.properties ?? {}) as Record<string, unknown>;
    if (typeof props !== "object" || Array.isArray(props))
      throw new HttpError(400, `${where}properties must be an object.`);
    const requested = props.id ?? f.id;
    const id = requested === undefined || requested === null ? newId() : requested;
    const checkedId = validateTerritoryId(id);
    if (!checkedId.ok) throw new HttpError(400, `${where}${checkedId.error}.`);
    if (seen.has(checkedId.value) || hasTerritory(doc, checkedId.value)) {
      throw new HttpError(
        400,
        `${where}a territory with id "${checkedId.value}" exists already; use PUT to change it.`,
      );
    }
    seen.add(checkedId.value);
    const t = validateNewTerritory(checkedId.value, f.geometry, props, existing + i);
    if (!t.ok) throw new HttpError(400, `${where}${t.error}.`);
    out.push(t.value);
  }
  return out;
}

export function createTerritories(doc: Y.Doc, list: Territory[]): void {
  for (const t of list) writeTerritory(doc, t);
}

/**
 * Validates a PUT body: a Feature whose geometry (optional) replaces the
 * territory's and whose properties (optional, any subset) are set.
 */
export function parseTerritoryPut(body: unknown): TerritoryPut {
  const f = body as { type?: unknown; geometry?: unknown; properties?: unknown } | null;
  if (f?.type !== "Feature")
    throw new HttpError(400, "Send a GeoJSON Feature; its geometry and properties are each optional.");
  let geometry: Territory["geometry"] | undefined;
  if (f.geometry !== undefined && f.geometry !== null) {
    const g = validateGeometry(f.geometry);
    if (!g.ok) throw new HttpError(400, `${g.error}.`);
    geometry = g.value;
  }
  const patch = validateTerritoryPatch(f.properties ?? {});
  if (!patch.ok) throw new HttpError(400, `${patch.error}.`);
  return { geometry, patch: patch.value };
}

export function applyTerritoryPut(doc: Y.Doc, id: string, put: TerritoryPut): Territory | null {
  if (!updateTerritory(doc, id, { ...put.patch, ...(put.geometry ? { geometry: put.geometry } : {}) })) return null;
  return readTerritory(doc, id);
}
