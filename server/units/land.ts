import fs from "node:fs/promises";
import { createRequire } from "node:module";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";

/**
 * The land of the world (Natural Earth 1:10m land, bundled by world-atlas,
 * public domain): the mask that keeps hexagons at sea out of a unit layer.
 * Read once, on the first layer built, and kept (about 3 MB).
 */
let land: Promise<TerritoryGeometry[]> | null = null;

export function naturalEarthLand(): Promise<TerritoryGeometry[]> {
  land ??= (async () => {
    const file = createRequire(import.meta.url).resolve("world-atlas/land-10m.json");
    const topo = JSON.parse(await fs.readFile(file, "utf8")) as Topology<{ land: GeometryCollection }>;
    const fc = feature(topo, topo.objects.land);
    const out: TerritoryGeometry[] = [];
    for (const f of fc.features) {
      if (f.geometry.type === "Polygon" || f.geometry.type === "MultiPolygon")
        out.push(f.geometry as TerritoryGeometry);
    }
    return out;
  })();
  return land;
}
