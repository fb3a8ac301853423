import type * as Y from "yjs";
import { PLAN_KEYS, planMap, readUnitsVersion, unitsMap } from "../../shared/doc/schema.ts";
import type { Position, Ring, TerritoryGeometry } from "../../shared/geometry/types.ts";
import { fromCompact, type UnitsCompactJson, type UnitsData, unitBoxes } from "../../shared/units/compact.ts";
import { outlineOfUnits } from "../../shared/units/compact-outline.ts";
import { unitIndex, unitKey } from "../../shared/units/layer.ts";
import { outlineOfAreas, outlineOfCells } from "../../shared/units/outline.ts";
import { getUnits } from "../lib/api.ts";

/**
 * A unit plan's units in the browser (issue 12): the layer (fetched once per
 * layer version, in the compact form), and which territory each unit
 * belongs to, followed live from the document's `units` map. `revision`
 * moves on with every change so the map redraws; `dirty` lists the units
 * changed since the map last drew them, for an incremental redraw.
 */
export class UnitsState {
  /** The layer; null in a drawn plan or until it has arrived. */
  data = $state.raw<UnitsData | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The document's layer version (0: a drawn plan). */
  version = $state(0);
  /** The unit under the pointer and where (map pixels), for its card; null when none. */
  hover = $state.raw<{ unit: number; x: number; y: number } | null>(null);
  /** Moves on whenever a unit changes territory. */
  revision = $state(0);
  /** Each unit's territory id (null: none), in layer order. */
  owner: (string | null)[] = [];
  /** Units changed since the map last drew (the map empties it). */
  readonly dirty = new Set<number>();
  /** Territories whose units changed since the map last asked (their outlines are worked out again). */
  readonly #changed = new Set<string>();
  /** Outlines worked out so far, per territory (null: no units). */
  readonly #outlines = new Map<string, TerritoryGeometry | null>();
  #grid: UnitGrid | null = null;
  #unbind: (() => void) | null = null;
  #fetching: number | null = null;

  constructor(
    private readonly planId: string,
    private readonly token: string | null,
  ) {}

  /** Whether the plan is built from units. */
  get active(): boolean {
    return this.version > 0;
  }

  /** Follows the document: the layer version and the assignment (called again after a reset). */
  bind(doc: Y.Doc): void {
    this.#unbind?.();
    const plan = planMap(doc);
    const units = unitsMap(doc);
    const readVersion = () => {
      const v = readUnitsVersion(doc);
      if (v !== this.version) {
        this.version = v;
        void this.#load(v, doc);
      }
    };
    const onPlan = (e: Y.YMapEvent<unknown>) => {
      if (e.keysChanged.has(PLAN_KEYS.unitsVersion)) readVersion();
    };
    const onUnits = (e: Y.YMapEvent<string>) => {
      if (!this.data) return;
      for (const key of e.keysChanged) {
        const u = unitIndex(key, this.data.count);
        if (u < 0) continue;
        const t = units.get(key);
        const before = this.owner[u];
        const after = typeof t === "string" ? t : null;
        if (before === after) continue;
        if (before) this.#touch(before);
        if (after) this.#touch(after);
        this.owner[u] = after;
        this.dirty.add(u);
      }
      this.revision++;
    };
    plan.observe(onPlan);
    units.observe(onUnits);
    readVersion();
    this.#unbind = () => {
      plan.unobserve(onPlan);
      units.unobserve(onUnits);
    };
  }

  async #load(version: number, doc: Y.Doc): Promise<void> {
    if (version === 0) {
      this.data = null;
      this.owner = [];
      this.#grid = null;
      this.#outlines.clear();
      this.#changed.clear();
      this.revision++;
      return;
    }
    if (this.data?.version === version || this.#fetching === version) return;
    this.#fetching = version;
    this.loading = true;
    this.error = null;
    try {
      const body = (await getUnits(this.planId, this.token)) as UnitsCompactJson | null;
      if (this.#fetching !== version) return;
      if (!body) throw new Error("the server has no unit layer for this plan");
      const data = fromCompact(body);
      const owner: (string | null)[] = new Array(data.count).fill(null);
      unitsMap(doc).forEach((t, key) => {
        const u = unitIndex(key, data.count);
        if (u >= 0 && typeof t === "string") owner[u] = t;
      });
      this.owner = owner;
      this.#outlines.clear();
      for (const t of owner) if (t) this.#changed.add(t);
      this.#grid = new UnitGrid(data);
      this.data = data;
      this.dirty.clear();
      this.revision++;
    } catch (e) {
      if (this.#fetching === version) this.error = (e as Error).message;
    } finally {
      if (this.#fetching === version) {
        this.#fetching = null;
        this.loading = false;
      }
    }
  }

  /** The unit under a point (lon, lat), or -1. */
  unitAt(lon: number, lat: number): number {
    return this.#grid?.find(lon, lat) ?? -1;
  }

  #touch(territoryId: string): void {
    this.#changed.add(territoryId);
    this.#outlines.delete(territoryId);
  }

  /** The territories whose units changed since the last call (their outlines are new). */
  takeChanged(): Set<string> {
    const out = new Set(this.#changed);
    this.#changed.clear();
    return out;
  }

  /** The units of a territory, in layer order. */
  unitsOf(territoryId: string): number[] {
    const out: number[] = [];
    for (let u = 0; u < this.owner.length; u++) if (this.owner[u] === territoryId) out.push(u);
    return out;
  }

  /**
   * A territory's outline, the union of its units (null: it has none).
   * Hexagons share their vertices exactly, so their union is the edges
   * with another territory (or none) across them (milliseconds, from the
   * compact layer's `across`); admin areas are clipped.
   */
  outline(territoryId: string): TerritoryGeometry | null {
    const cached = this.#outlines.get(territoryId);
    if (cached !== undefined) return cached;
    const d = this.data;
    if (!d) return null;
    const units = this.unitsOf(territoryId);
    const owner = this.owner;
    // Hexagons: the edges whose unit across is not the territory's (the compact layer names it).
    let g = d.kind === "h3" ? outlineOfUnits(d, units, (w) => owner[w] === territoryId) : undefined;
    if (g === undefined) {
      const rings: Ring[] = [];
      for (const u of units) rings.push(...unitRings(d, u));
      g =
        rings.length === 0
          ? null
          : d.kind === "h3"
            ? outlineOfCells(rings)
            : outlineOfAreas(rings.map((r) => ({ type: "Polygon", coordinates: [r] }) as TerritoryGeometry));
    }
    this.#outlines.set(territoryId, g);
    return g;
  }

  /** The document key of a unit. */
  keyOf(u: number): string {
    return unitKey(u);
  }

  /** Units whose centre lies inside a polygon or multipolygon (holes left out): what Fill and Draw take. */
  unitsInGeometry(g: TerritoryGeometry): number[] {
    const d = this.data;
    if (!d) return [];
    const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    const out: number[] = [];
    for (let u = 0; u < d.count; u++) {
      const x = d.lon[u] as number;
      const y = d.lat[u] as number;
      if (
        polys.some(([shell, ...holes]) => shell && pointInRing(x, y, shell) && !holes.some((h) => pointInRing(x, y, h)))
      )
        out.push(u);
    }
    return out;
  }

  destroy(): void {
    this.#unbind?.();
    this.#unbind = null;
  }
}

/** A unit's rings (one per part), closed, in lon/lat. */
export function unitRings(d: UnitsData, u: number): Ring[] {
  const out: Ring[] = [];
  for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
    const a = d.ringStart[r] as number;
    const b = d.ringStart[r + 1] as number;
    const ring: Position[] = [];
    for (let i = a; i < b; i++) ring.push([d.xy[2 * i] as number, d.xy[2 * i + 1] as number]);
    ring.push([d.xy[2 * a] as number, d.xy[2 * a + 1] as number]);
    out.push(ring);
  }
  return out;
}

/** A uniform grid over the units' boxes, then point in polygon on the few candidates. */
class UnitGrid {
  /** Grid cell (column, row packed into one number) → the units whose box meets it. */
  private readonly cells = new Map<number, number[]>();
  private readonly size: number;
  private readonly boxes: Float64Array;

  constructor(private readonly d: UnitsData) {
    const n = d.count;
    this.boxes = unitBoxes(d, d.xy);
    let side = 0;
    for (let u = 0; u < n; u++) {
      const b = this.boxes;
      side += Math.max(
        (b[u * 4 + 2] as number) - (b[u * 4] as number),
        (b[u * 4 + 3] as number) - (b[u * 4 + 1] as number),
      );
    }
    this.size = Math.max(1e-4, side / Math.max(1, n));
    for (let u = 0; u < n; u++) {
      const b = this.boxes;
      const i1 = Math.floor((b[u * 4 + 2] as number) / this.size);
      const j0 = Math.floor((b[u * 4 + 1] as number) / this.size);
      const j1 = Math.floor((b[u * 4 + 3] as number) / this.size);
      for (let i = Math.floor((b[u * 4] as number) / this.size); i <= i1; i++) {
        for (let j = j0; j <= j1; j++) {
          const k = cellKey(i, j);
          const list = this.cells.get(k);
          if (list) list.push(u);
          else this.cells.set(k, [u]);
        }
      }
    }
  }

  find(x: number, y: number): number {
    const list = this.cells.get(cellKey(Math.floor(x / this.size), Math.floor(y / this.size)));
    if (!list) return -1;
    const d = this.d;
    for (const u of list) {
      for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
        let inside = false;
        const a = d.ringStart[r] as number;
        const b = d.ringStart[r + 1] as number;
        for (let i = a, j = b - 1; i < b; j = i++) {
          const xi = d.xy[2 * i] as number;
          const yi = d.xy[2 * i + 1] as number;
          const xj = d.xy[2 * j] as number;
          const yj = d.xy[2 * j + 1] as number;
          if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        }
        if (inside) return u;
      }
    }
    return -1;
  }
}

/** A grid cell's column and row as one Map key (a string per cell cost 25 ms for Java's layer). */
function cellKey(i: number, j: number): number {
  return (i + 2 ** 20) * 2 ** 21 + (j + 2 ** 20);
}

function pointInRing(x: number, y: number, ring: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as readonly [number, number];
    const [xj, yj] = ring[j] as readonly [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
