/// <reference lib="webworker" />
import type { MultiLineString, MultiPolygon, Polygon } from "geojson";
import { feature as topoFeature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/**
 * Loads a world-atlas TopoJSON off the main thread: fetch, parse, convert to
 * land polygons and a mesh of country borders, project to Web Mercator and
 * flatten into transferable arrays. The 1:10m file is 3.6 MB; parsing it on
 * the main thread held up the plan's WebSocket and first paint by a second
 * or more.
 */

export interface BasemapRequest {
  url: string;
}

export interface FlatPolygons {
  /** x,y pairs in EPSG:3857. */
  flat: Float64Array;
  /** Per polygon, the end offsets of its rings in `flat` (OpenLayers' `endss`). */
  endss: number[][];
}

export interface FlatLines {
  flat: Float64Array;
  ends: number[];
}

export type BasemapResponse = { ok: true; land: FlatPolygons; borders: FlatLines } | { ok: false; error: string };

const R = 6378137;
const MAX_LAT = 85.05112878;

function project(lon: number, lat: number, out: number[]): void {
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  out.push((R * lon * Math.PI) / 180, R * Math.log(Math.tan(Math.PI / 4 + (clamped * Math.PI) / 360)));
}

/**
 * Projects a ring or line, unwrapping longitudes where it crosses the
 * antimeridian (Fiji, Chukotka, Antarctica): Natural Earth cuts those shapes
 * at ±180°, and drawn flat the jump from +180 to −180 becomes a line (or a
 * filled band) across the whole world.
 */
function projectPath(path: number[][], out: number[]): void {
  let offset = 0;
  let prev: number | null = null;
  for (const [lon, lat] of path) {
    const x = (lon as number) + offset;
    if (prev !== null && Math.abs(x - prev) > 180) offset += x > prev ? -360 : 360;
    const unwrapped = (lon as number) + offset;
    project(unwrapped, lat as number, out);
    prev = unwrapped;
  }
}

self.onmessage = async (e: MessageEvent<BasemapRequest>) => {
  try {
    const res = await fetch(e.data.url);
    if (!res.ok) throw new Error(`basemap ${res.status}`);
    const topology = (await res.json()) as Topology;
    const land = topoFeature(topology, topology.objects.land as GeometryCollection);
    const polys: number[] = [];
    const endss: number[][] = [];
    const features = "features" in land ? land.features : [land];
    for (const f of features) {
      const g = f.geometry as Polygon | MultiPolygon | null;
      if (!g) continue;
      const list = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      for (const poly of list) {
        const ends: number[] = [];
        for (const ring of poly) {
          projectPath(ring, polys);
          ends.push(polys.length);
        }
        endss.push(ends);
      }
    }
    const border = mesh(
      topology,
      topology.objects.countries as GeometryCollection,
      (a, b) => a !== b,
    ) as MultiLineString;
    const lines: number[] = [];
    const ends: number[] = [];
    for (const line of border.coordinates) {
      projectPath(line, lines);
      ends.push(lines.length);
    }
    const landFlat = new Float64Array(polys);
    const lineFlat = new Float64Array(lines);
    const response: BasemapResponse = { ok: true, land: { flat: landFlat, endss }, borders: { flat: lineFlat, ends } };
    (self as unknown as Worker).postMessage(response, [landFlat.buffer, lineFlat.buffer]);
  } catch (err) {
    (self as unknown as Worker).postMessage({ ok: false, error: (err as Error).message } satisfies BasemapResponse);
  }
};
