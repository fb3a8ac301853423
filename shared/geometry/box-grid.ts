/** [minX, minY, maxX, maxY] in degrees. */
export type Box = [number, number, number, number];

/** Cells a box may cover before it is kept in the list every query reads (a province-sized territory). */
const MAX_CELLS = 64;

/**
 * Boxes by id on a uniform grid of `cell`-degree squares: which boxes may
 * meet a given box, in time proportional to the boxes near it rather than
 * to all of them. A scoped edit link's new shape is checked only against
 * the territories near it (shared/access/scope.ts). Boxes covering more
 * than {@link MAX_CELLS} cells go to a short list every query reads.
 *
 * @example
 * const grid = new BoxGrid();
 * grid.set("bogor", [106.4, -6.8, 107.1, -6.3]);
 * grid.near([106.9, -6.6, 107.0, -6.5]) // Set { "bogor" }
 */
export class BoxGrid {
  private readonly cells = new Map<string, Set<string>>();
  private readonly boxes = new Map<string, Box>();
  private readonly large = new Set<string>();

  constructor(readonly cell = 0.25) {}

  get size(): number {
    return this.boxes.size;
  }

  set(id: string, box: Box | null): void {
    this.delete(id);
    if (!box?.every(Number.isFinite)) return;
    this.boxes.set(id, box);
    const keys = this.keysOf(box);
    if (!keys) {
      this.large.add(id);
      return;
    }
    for (const k of keys) {
      let set = this.cells.get(k);
      if (!set) {
        set = new Set();
        this.cells.set(k, set);
      }
      set.add(id);
    }
  }

  delete(id: string): void {
    const box = this.boxes.get(id);
    if (!box) return;
    this.boxes.delete(id);
    if (this.large.delete(id)) return;
    for (const k of this.keysOf(box) ?? []) {
      const set = this.cells.get(k);
      set?.delete(id);
      if (set?.size === 0) this.cells.delete(k);
    }
  }

  /** Ids whose box meets `box` (touching counts). */
  near(box: Box): Set<string> {
    const out = new Set<string>();
    const test = (id: string) => {
      const b = this.boxes.get(id);
      if (b && b[0] <= box[2] && box[0] <= b[2] && b[1] <= box[3] && box[1] <= b[3]) out.add(id);
    };
    for (const id of this.large) test(id);
    const keys = this.keysOf(box);
    if (!keys) {
      // A query as large as a province: read every box (rare: a region drawn whole).
      for (const id of this.boxes.keys()) test(id);
      return out;
    }
    for (const k of keys) for (const id of this.cells.get(k) ?? []) if (!out.has(id)) test(id);
    return out;
  }

  /** The cell keys a box covers; null beyond {@link MAX_CELLS}. */
  private keysOf(box: Box): string[] | null {
    const x0 = Math.floor(box[0] / this.cell);
    const y0 = Math.floor(box[1] / this.cell);
    const x1 = Math.floor(box[2] / this.cell);
    const y1 = Math.floor(box[3] / this.cell);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS) return null;
    const keys: string[] = [];
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) keys.push(`${x},${y}`);
    return keys;
  }
}

/** The box of a geometry's coordinates; null when it has none. */
export function boxOf(coordinates: readonly unknown[]): Box | null {
  const box: Box = [
    Number.POSITIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  const walk = (a: readonly unknown[]) => {
    if (typeof a[0] === "number") {
      const x = a[0] as number;
      const y = a[1] as number;
      if (x < box[0]) box[0] = x;
      if (y < box[1]) box[1] = y;
      if (x > box[2]) box[2] = x;
      if (y > box[3]) box[3] = y;
      return;
    }
    for (const c of a) walk(c as readonly unknown[]);
  };
  walk(coordinates);
  return Number.isFinite(box[0]) ? box : null;
}
