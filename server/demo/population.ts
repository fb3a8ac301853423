import { cellToLatLng, getHexagonEdgeLengthAvg, gridDisk, latLngToCell } from "h3-js";
import { segmentM } from "../../shared/geometry/area.ts";
import type { UnitLayer } from "../../shared/units/layer.ts";
import type { Place } from "./accounts.ts";

/**
 * Java and Madura's population (2020 census, about 152 million): what the
 * estimate adds up to over the whole island.
 */
export const JAVA_POPULATION = 152_000_000;

/** How far a place's people spread, km: about 2.5 km for a small town, 14 km for Jakarta. */
export function spreadKm(population: number): number {
  return 2 + 0.004 * Math.sqrt(population);
}

/**
 * A population estimate for each hexagon of an H3 layer, from GeoNames
 * places (not a census): each place's population spread over the hexagons
 * around it with a Gaussian kernel ({@link spreadKm}), weighted by hexagon
 * area and kept whole (what falls on hexagons outside the layer goes to
 * those inside); what the places do not account for of `total` (the
 * villages GeoNames does not list) is spread evenly over the land, in
 * proportion to area. Whole people, same inputs same numbers.
 *
 * @example estimatePopulation(layer, places, 152e6) // Float64Array [412_033, 18_250, …]
 */
export function estimatePopulation(layer: UnitLayer, places: readonly Place[], total: number): Float64Array {
  if (layer.kind !== "h3" || layer.resolution === null) throw new Error("the estimate is for hexagon layers");
  const resolution = layer.resolution;
  const n = layer.ids.length;
  const index = new Map(layer.ids.map((id, i) => [id, i]));
  const out = new Float64Array(n);
  const edgeKm = getHexagonEdgeLengthAvg(resolution, "km");
  let placed = 0;
  for (const place of places) {
    if (!(place.population > 0)) continue;
    const sigma = spreadKm(place.population);
    // Centres of neighbouring hexagons are about √3 edges apart; three sigmas out.
    const k = Math.max(1, Math.ceil((3 * sigma) / (Math.sqrt(3) * edgeKm)));
    const weights: [number, number][] = [];
    let sum = 0;
    for (const cell of gridDisk(latLngToCell(place.lat, place.lon, resolution), k)) {
      const u = index.get(cell);
      if (u === undefined) continue;
      const [lat, lon] = cellToLatLng(cell);
      const d = segmentM(place.lon, place.lat, lon, lat) / 1000;
      const w = Math.exp(-(d * d) / (2 * sigma * sigma)) * (layer.areaKm2[u] as number);
      weights.push([u, w]);
      sum += w;
    }
    if (sum <= 0) continue;
    for (const [u, w] of weights) out[u] = (out[u] as number) + (place.population * w) / sum;
    placed += place.population;
  }
  let land = 0;
  for (let u = 0; u < n; u++) land += layer.areaKm2[u] as number;
  const perKm2 = land > 0 ? Math.max(0, total - placed) / land : 0;
  for (let u = 0; u < n; u++) out[u] = Math.round((out[u] as number) + perKm2 * (layer.areaKm2[u] as number));
  return out;
}

/**
 * A name for each hexagon, so a hover says where one is: the largest place
 * within it, else a nearby place (the nearest in the first 0.25° grid
 * square around it that has one).
 */
export function nearestPlaceNames(layer: UnitLayer, places: readonly Place[]): string[] {
  const resolution = layer.resolution as number;
  const largest = new Map<string, Place>();
  for (const p of places) {
    const cell = latLngToCell(p.lat, p.lon, resolution);
    const had = largest.get(cell);
    if (!had || had.population < p.population) largest.set(cell, p);
  }
  // A coarse grid of places for the nearest one: places sorted by population, a bucket per 0.25°.
  const buckets = new Map<string, Place[]>();
  const key = (lon: number, lat: number) => `${Math.floor(lon * 4)},${Math.floor(lat * 4)}`;
  for (const p of places) {
    const k = key(p.lon, p.lat);
    const list = buckets.get(k) ?? [];
    list.push(p);
    buckets.set(k, list);
  }
  return layer.ids.map((id, u) => {
    const own = largest.get(id);
    if (own) return own.name;
    const lon = layer.lon[u] as number;
    const lat = layer.lat[u] as number;
    let best: Place | null = null;
    let bestD = Number.POSITIVE_INFINITY;
    for (let r = 0; r <= 2 && !best; r++) {
      for (let dx = -r; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++) {
          for (const p of buckets.get(key(lon + dx / 4, lat + dy / 4)) ?? []) {
            const d = (p.lon - lon) ** 2 + (p.lat - lat) ** 2;
            if (d < bestD) {
              bestD = d;
              best = p;
            }
          }
        }
      }
    }
    return best?.name ?? "";
  });
}
