import Feature from "ol/Feature.js";
import MultiPolygon from "ol/geom/MultiPolygon.js";
import Polygon from "ol/geom/Polygon.js";
import { getTransform } from "ol/proj.js";
import { repNames, type Territory, type TerritoryProps } from "../../shared/doc/territory.ts";
import { quantize } from "../../shared/geometry/codec.ts";
import { type Position, polygonsOf, type Ring, type TerritoryGeometry } from "../../shared/geometry/types.ts";

/**
 * Territory ↔ OpenLayers feature. Territories are stored in lon/lat (WGS84);
 * the map works in Web Mercator (EPSG:3857). Coordinates go through flat
 * arrays and one bulk transform per geometry, never one object per vertex:
 * a 100,000-vertex plan converts in a few milliseconds.
 */

export type TerritoryFeature = Feature<Polygon | MultiPolygon>;

// Both projections are built into OpenLayers, so these transforms always exist.
const toMercator = getTransform("EPSG:4326", "EPSG:3857") as NonNullable<ReturnType<typeof getTransform>>;
const toWgs84 = getTransform("EPSG:3857", "EPSG:4326") as NonNullable<ReturnType<typeof getTransform>>;

export function geometryToOl(g: TerritoryGeometry): Polygon | MultiPolygon {
  const polys = polygonsOf(g);
  let n = 0;
  for (const poly of polys) for (const ring of poly) n += ring.length;
  const flat = new Array<number>(n * 2);
  const endss: number[][] = [];
  let i = 0;
  for (const poly of polys) {
    const ends: number[] = [];
    for (const ring of poly) {
      for (const p of ring) {
        flat[i++] = p[0];
        flat[i++] = p[1];
      }
      ends.push(i);
    }
    endss.push(ends);
  }
  toMercator(flat, flat, 2);
  return g.type === "Polygon" ? new Polygon(flat, "XY", endss[0] ?? []) : new MultiPolygon(flat, "XY", endss);
}

/**
 * Back to lon/lat, rounded as the document codec rounds, with each ring
 * closed and repeated consecutive positions (a double click, a vertex
 * snapped onto its neighbour) dropped.
 */
export function olToGeometry(geom: Polygon | MultiPolygon): TerritoryGeometry {
  const stride = geom.getStride();
  const src = geom.getFlatCoordinates();
  const xy = new Array<number>((src.length / stride) * 2);
  for (let i = 0, j = 0; i < src.length; i += stride) {
    xy[j++] = src[i] as number;
    xy[j++] = src[i + 1] as number;
  }
  toWgs84(xy, xy, 2);
  const ring = (start: number, end: number): Ring => {
    const out: Ring = [];
    for (let k = start; k < end; k += 2) {
      const p: Position = [quantize(xy[k] as number), quantize(xy[k + 1] as number)];
      const prev = out[out.length - 1];
      if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) out.push(p);
    }
    const first = out[0];
    const last = out[out.length - 1];
    if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
    return out;
  };
  // Ends are in units of the geometry's stride; ours is 2.
  const scale = 2 / stride;
  const rings = (ends: number[], offset: number): Ring[] => {
    const out: Ring[] = [];
    let start = offset;
    for (const end of ends) {
      out.push(ring(start * scale, end * scale));
      start = end;
    }
    return out;
  };
  if (geom instanceof Polygon) return { type: "Polygon", coordinates: rings(geom.getEnds(), 0) };
  const polys: Ring[][] = [];
  let offset = 0;
  for (const ends of geom.getEndss()) {
    polys.push(rings(ends, offset));
    offset = ends[ends.length - 1] ?? offset;
  }
  return { type: "MultiPolygon", coordinates: polys };
}

export function territoryToFeature(t: Territory): TerritoryFeature {
  const feature: TerritoryFeature = new Feature(geometryToOl(t.geometry));
  feature.setId(t.id);
  setFeatureProps(feature, t);
  return feature;
}

/** Many territories at once, for `source.addFeatures` (one event instead of one per feature). */
export function territoriesToFeatures(ts: Iterable<Territory>): TerritoryFeature[] {
  const out: TerritoryFeature[] = [];
  for (const t of ts) out.push(territoryToFeature(t));
  return out;
}

/** Copies the styled properties onto a feature; returns whether anything changed. */
export function setFeatureProps(
  feature: TerritoryFeature,
  p: Pick<TerritoryProps, "name" | "color" | "reps">,
): boolean {
  const reps = repNames(p.reps);
  if (feature.get("name") === p.name && feature.get("color") === p.color && feature.get("reps") === reps) return false;
  feature.setProperties({ name: p.name, color: p.color, reps });
  return true;
}

export function featureId(feature: { getId(): string | number | undefined }): string | null {
  const id = feature.getId();
  return typeof id === "string" ? id : null;
}
