import { cellToLatLng, latLngToCell } from "h3-js";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { assignByCentre } from "../../shared/units/convert.ts";

/**
 * How many accounts a hexagon layer would leave without a territory, worked
 * out in the browser for the Units dialog's preview (the server's dry run
 * counts the hexagons only). The rule is the server's conversion
 * (server/units/units.ts): every account inside the area keeps its
 * hexagon, and a hexagon goes to the territory holding its centre
 * (shared/units/convert.ts's assignByCentre, the same code). So an account
 * is left without a territory when the centre of its hexagon lies in no
 * territory. Loaded on demand: h3-js is large and only this dialog needs it.
 *
 * `resolution` null: the accounts without a territory now (inside none).
 *
 * @example accountsWithoutTerritory(lon, lat, [{ id: "bogor", geometry }], 7) // 3
 */
export function accountsWithoutTerritory(
  lon: ArrayLike<number>,
  lat: ArrayLike<number>,
  territories: readonly { id: string; geometry: TerritoryGeometry }[],
  resolution: number | null,
): number {
  const n = Math.min(lon.length, lat.length);
  // Accounts crowd: one test per hexagon, not per account.
  const slots = new Map<string, number>();
  const of = new Int32Array(n).fill(-1);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = lon[i] as number;
    const y = lat[i] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    let key: string;
    let at: [number, number];
    if (resolution === null) {
      key = `${x},${y}`;
      at = [x, y];
    } else {
      key = latLngToCell(y, x, resolution);
      const [cy, cx] = cellToLatLng(key);
      at = [cx, cy];
    }
    let slot = slots.get(key);
    if (slot === undefined) {
      slot = xs.length;
      slots.set(key, slot);
      xs.push(at[0]);
      ys.push(at[1]);
    }
    of[i] = slot;
  }
  const inside = assignByCentre(Float64Array.from(xs), Float64Array.from(ys), territories);
  let without = 0;
  for (let i = 0; i < n; i++) {
    const slot = of[i] as number;
    if (slot < 0 || !inside.has(slot)) without++;
  }
  return without;
}
