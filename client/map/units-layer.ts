import ImageLayer from "ol/layer/Image.js";
import { getTransform } from "ol/proj.js";
import ImageCanvasSource from "ol/source/ImageCanvas.js";
import { type UnitsData, unitBoxes } from "../../shared/units/compact.ts";
import { hatchTile } from "./hatch.ts";
import { darken, hexToRgba } from "./styles.ts";

const toMercator = getTransform("EPSG:4326", "EPSG:3857") as NonNullable<ReturnType<typeof getTransform>>;

/** What the layer asks of the plan: whose each unit is, and each territory's colour. */
export interface UnitsView {
  data: UnitsData | null;
  owner: readonly (string | null)[];
  /** The colour a territory's units are filled with (its own, or its balance colour). */
  colorOf(territoryId: string): string | null;
  /** The selected auto-balance proposal's moves, unit index → the territory it would go to (issue 13); null: none. */
  moves: ReadonlyMap<number, string> | null;
  /** A territory's own colour (a move is hatched in its new territory's). */
  territoryColor(territoryId: string): string | null;
}

const BORDER = "#1f2937";
/** Hatching of a move into a territory that has no colour (deleted since). */
const MOVE_FALLBACK = "#475569";
const UNASSIGNED_WITH_ACCOUNTS = "rgba(245, 158, 11, 0.28)";

/**
 * The units of a unit plan, drawn once per view onto one canvas (as the
 * accounts' canvas renderer does): each unit filled in its territory's
 * colour, hairlines between units when zoomed in, and each border between
 * two territories drawn once — along the edges whose units on either side
 * belong to different territories (the compact layer names the unit across
 * each edge), so there are no double lines and no gaps. Panning moves the
 * image; a change redraws it.
 */
export class UnitsLayer {
  readonly layer: ImageLayer<ImageCanvasSource>;
  private readonly source: ImageCanvasSource;
  /** Vertices in Web Mercator, x then y (same order as the layer's). */
  private merc: Float64Array = new Float64Array(0);
  private boxes: Float64Array = new Float64Array(0);
  private data: UnitsData | null = null;
  /** Moved units drawn by the last draw (those in view): tests and the console read it. */
  movesDrawn = 0;
  /** Hatch patterns by colour and pixel ratio. */
  private readonly hatches = new Map<string, CanvasPattern | string>();

  constructor(private readonly view: UnitsView) {
    this.source = new ImageCanvasSource({
      canvasFunction: (extent, resolution, pixelRatio, size) => this.draw(extent, resolution, pixelRatio, size),
      ratio: 1.25,
    });
    this.layer = new ImageLayer({ source: this.source, properties: { name: "units" }, zIndex: 1 });
  }

  /** Draws again (the assignment or the colours changed). */
  refresh(): void {
    const d = this.view.data;
    if (d !== this.data) this.project(d);
    this.source.changed();
  }

  private project(d: UnitsData | null): void {
    this.data = d;
    if (!d) {
      this.merc = new Float64Array(0);
      this.boxes = new Float64Array(0);
      return;
    }
    // In place on a typed copy: an Array of every coordinate first cost tens of milliseconds at open.
    const merc = Float64Array.from(d.xy);
    toMercator(merc as unknown as number[], merc as unknown as number[], 2);
    this.merc = merc;
    this.boxes = unitBoxes(d, merc);
  }

  private ownerOf(u: number): string | null {
    return this.view.owner[u] ?? null;
  }

  private draw(extent: number[], resolution: number, pixelRatio: number, size: number[]): HTMLCanvasElement {
    const canvas = document.createElement("canvas");
    const [width, height] = size as [number, number];
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d");
    const d = this.data;
    if (!ctx || !d) return canvas;
    const [x0, y0, x1, y1] = extent as [number, number, number, number];
    const k = pixelRatio / resolution;
    const px = (x: number) => (x - x0) * k;
    const py = (y: number) => (y1 - y) * k;
    const visible: number[] = [];
    for (let u = 0; u < d.count; u++) {
      const b = u * 4;
      if ((this.boxes[b + 2] as number) < x0 || (this.boxes[b] as number) > x1) continue;
      if ((this.boxes[b + 3] as number) < y0 || (this.boxes[b + 1] as number) > y1) continue;
      visible.push(u);
    }
    // Fills, batched by colour: one path per colour.
    const byFill = new Map<string, number[]>();
    const fills = new Map<string, string>();
    for (const u of visible) {
      const owner = this.ownerOf(u);
      let fill: string | null = null;
      if (owner !== null) {
        let f = fills.get(owner);
        if (f === undefined) {
          const c = this.view.colorOf(owner);
          f = c ? hexToRgba(c, 0.5) : "rgba(148, 163, 184, 0.35)";
          fills.set(owner, f);
        }
        fill = f;
      } else if ((d.accounts[u] as number) > 0) {
        fill = UNASSIGNED_WITH_ACCOUNTS;
      }
      if (!fill) continue;
      const list = byFill.get(fill);
      if (list) list.push(u);
      else byFill.set(fill, [u]);
    }
    for (const [fill, units] of byFill) {
      ctx.beginPath();
      for (const u of units) this.trace(ctx, d, u, px, py);
      ctx.fillStyle = fill;
      ctx.fill("evenodd");
    }
    // Hairlines between units, once there is room to see them.
    let span = 0;
    const sample = Math.min(visible.length, 256);
    for (let i = 0; i < sample; i++) {
      const b = (visible[Math.floor((i * visible.length) / sample)] as number) * 4;
      span += (this.boxes[b + 2] as number) - (this.boxes[b] as number);
    }
    const cellPx = sample > 0 ? (span / sample) * k : 0;
    if (cellPx > 18) {
      ctx.beginPath();
      for (const u of visible) this.trace(ctx, d, u, px, py);
      ctx.strokeStyle = "rgba(255, 255, 255, 0.55)";
      ctx.lineWidth = Math.max(0.5, pixelRatio * 0.6);
      ctx.stroke();
    }
    // Borders between territories, each edge once.
    ctx.beginPath();
    for (const u of visible) {
      const mine = this.ownerOf(u);
      for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
        const a = d.ringStart[r] as number;
        const b = d.ringStart[r + 1] as number;
        for (let i = a; i < b; i++) {
          const other = d.across[i] as number;
          const theirs = other >= 0 ? this.ownerOf(other) : null;
          if (theirs === mine) continue;
          // Between two units: drawn from the lower index only; at the layer's edge, from the unit.
          if (other >= 0 && other < u && (theirs !== null || mine === null)) continue;
          if (mine === null && other < 0) continue;
          const j = i + 1 < b ? i + 1 : a;
          ctx.moveTo(px(this.merc[2 * i] as number), py(this.merc[2 * i + 1] as number));
          ctx.lineTo(px(this.merc[2 * j] as number), py(this.merc[2 * j + 1] as number));
        }
      }
    }
    ctx.strokeStyle = BORDER;
    ctx.lineWidth = 1.6 * pixelRatio;
    ctx.lineCap = "round";
    ctx.stroke();
    this.movesDrawn = this.drawMoves(ctx, d, visible, pixelRatio, px, py);
    return canvas;
  }

  /**
   * A proposal's moves over the units: each moved unit hatched in the colour
   * of the territory it would go to, and each group of units going to one
   * territory outlined with a dashed line (the edges whose unit across is not
   * going there too). Returns how many moved units it drew.
   */
  private drawMoves(
    ctx: CanvasRenderingContext2D,
    d: UnitsData,
    visible: readonly number[],
    pixelRatio: number,
    px: (x: number) => number,
    py: (y: number) => number,
  ): number {
    const moves = this.view.moves;
    if (!moves || moves.size === 0) return 0;
    const byTarget = new Map<string, number[]>();
    for (const u of visible) {
      const to = moves.get(u);
      if (to === undefined) continue;
      const list = byTarget.get(to);
      if (list) list.push(u);
      else byTarget.set(to, [u]);
    }
    let drawn = 0;
    for (const [to, units] of byTarget) {
      const color = this.view.territoryColor(to) ?? MOVE_FALLBACK;
      ctx.beginPath();
      for (const u of units) this.trace(ctx, d, u, px, py);
      ctx.fillStyle = this.hatch(ctx, color, pixelRatio);
      ctx.fill("evenodd");
      ctx.beginPath();
      for (const u of units) {
        for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
          const a = d.ringStart[r] as number;
          const b = d.ringStart[r + 1] as number;
          for (let i = a; i < b; i++) {
            const other = d.across[i] as number;
            if (other >= 0 && moves.get(other) === to) continue;
            const j = i + 1 < b ? i + 1 : a;
            ctx.moveTo(px(this.merc[2 * i] as number), py(this.merc[2 * i + 1] as number));
            ctx.lineTo(px(this.merc[2 * j] as number), py(this.merc[2 * j + 1] as number));
          }
        }
      }
      ctx.setLineDash([5 * pixelRatio, 3.5 * pixelRatio]);
      ctx.strokeStyle = darken(color, 0.55);
      ctx.lineWidth = 1.8 * pixelRatio;
      ctx.lineCap = "butt";
      ctx.stroke();
      ctx.setLineDash([]);
      drawn += units.length;
    }
    return drawn;
  }

  /** Stripes of a territory's colour over a pale wash, so the unit's present colour shows through. */
  private hatch(ctx: CanvasRenderingContext2D, color: string, pixelRatio: number): CanvasPattern | string {
    const key = `${color}|${pixelRatio}`;
    let pattern = this.hatches.get(key);
    if (pattern === undefined) {
      const tile = hatchTile(Math.round(8 * pixelRatio), "rgba(255, 255, 255, 0.45)", color, 2.6 * pixelRatio);
      pattern = ctx.createPattern(tile, "repeat") ?? hexToRgba(color, 0.6);
      this.hatches.set(key, pattern);
    }
    return pattern;
  }

  private trace(
    ctx: CanvasRenderingContext2D,
    d: UnitsData,
    u: number,
    px: (x: number) => number,
    py: (y: number) => number,
  ): void {
    for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
      const a = d.ringStart[r] as number;
      const b = d.ringStart[r + 1] as number;
      const x = px(this.merc[2 * a] as number);
      const y = py(this.merc[2 * a + 1] as number);
      ctx.moveTo(x, y);
      for (let i = a + 1; i < b; i++) ctx.lineTo(px(this.merc[2 * i] as number), py(this.merc[2 * i + 1] as number));
      // Closed by a line back to the start, not closePath(): Chrome's closePath walks the whole path
      // built so far, so a path of thousands of rings took time quadratic in them (400 ms for Java).
      ctx.lineTo(x, y);
    }
  }
}
