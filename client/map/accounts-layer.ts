import Feature from "ol/Feature.js";
import Point from "ol/geom/Point.js";
import type BaseLayer from "ol/layer/Base.js";
import ImageLayer from "ol/layer/Image.js";
import WebGLPointsLayer from "ol/layer/WebGLPoints.js";
import { getTransform } from "ol/proj.js";
import ImageCanvasSource from "ol/source/ImageCanvas.js";
import VectorSource from "ol/source/Vector.js";
import type { FlatStyle } from "ol/style/flat.js";
import type { PlanAccounts } from "../analysis/accounts.ts";
import { AccountState } from "../analysis/colors.ts";
import { rgb } from "../lib/color.ts";

export type PointsRenderer = "webgl" | "canvas";

const RENDERER_KEY = "wilayah.points";

/** Software WebGL (SwiftShader, Mesa llvmpipe, Windows' basic driver): slower at 50,000 points than a 2D canvas. */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/**
 * WebGL when the browser has a hardware-accelerated context, else the
 * canvas renderer. A `?points=canvas|webgl` query parameter or
 * `localStorage["wilayah.points"]` forces one (the end-to-end tests run both).
 *
 * Why not WebGL on a software rasteriser: in headless Chromium with
 * `--disable-gpu`, WebGL runs on SwiftShader, where panning over 50,000
 * points dropped 171 of 567 frames (p95 1.8 s) against 5 for the canvas
 * renderer, which draws them once per view and only moves the image while
 * panning (measured on the 2-core test machine; figures in client/README.md).
 */
export function detectPointsRenderer(): PointsRenderer {
  let forced: string | null = null;
  try {
    forced = new URLSearchParams(location.search).get("points") ?? localStorage.getItem(RENDERER_KEY);
  } catch {
    forced = null;
  }
  if (forced === "canvas" || forced === "webgl") return forced;
  try {
    const canvas = document.createElement("canvas");
    const gl = (canvas.getContext("webgl2") ?? canvas.getContext("webgl")) as WebGLRenderingContext | null;
    if (!gl) return "canvas";
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "");
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return SOFTWARE_GL.test(name) ? "canvas" : "webgl";
  } catch {
    return "canvas";
  }
}

// Zoom → radius in pixels: small dots over a whole island, bigger when a town fills the screen.
const RADIUS_STOPS: [number, number][] = [
  [4, 1.6],
  [7, 2.4],
  [10, 3.6],
  [13, 5],
  [16, 6.5],
];
/** Unassigned, conflicting and pinned accounts are drawn larger, with a ring that stands out. */
const STATE_SCALE: Record<number, number> = {
  [AccountState.assigned]: 1,
  [AccountState.unassigned]: 1.55,
  [AccountState.conflict]: 1.45,
  [AccountState.pending]: 1,
  [AccountState.pinned]: 1.6,
};
const RING: Record<number, [string, number]> = {
  [AccountState.assigned]: ["rgba(255,255,255,0.92)", 0.8],
  [AccountState.unassigned]: ["#f59e0b", 2],
  [AccountState.conflict]: ["#ffffff", 1.6],
  [AccountState.pending]: ["rgba(255,255,255,0.8)", 0.6],
  // Pinned by hand: its territory's colour inside a dark ring, whatever the fill around it.
  [AccountState.pinned]: ["#111827", 2.2],
};
const ring = (state: number) => RING[state] ?? (RING[AccountState.assigned] as [string, number]);

/** Point radius at a zoom level (the WebGL style's interpolation, for the canvas renderer). */
export function radiusAt(zoom: number): number {
  const first = RADIUS_STOPS[0] as [number, number];
  if (zoom <= first[0]) return first[1];
  for (let i = 1; i < RADIUS_STOPS.length; i++) {
    const [z1, r1] = RADIUS_STOPS[i] as [number, number];
    const [z0, r0] = RADIUS_STOPS[i - 1] as [number, number];
    if (zoom <= z1) return r0 + ((r1 - r0) * (zoom - z0)) / (z1 - z0);
  }
  return (RADIUS_STOPS[RADIUS_STOPS.length - 1] as [number, number])[1];
}

const WEBGL_STYLE: FlatStyle = {
  "circle-radius": [
    "*",
    ["interpolate", ["linear"], ["zoom"], ...RADIUS_STOPS.flat()],
    [
      "match",
      ["get", "state"],
      AccountState.unassigned,
      STATE_SCALE[AccountState.unassigned] as number,
      AccountState.conflict,
      STATE_SCALE[AccountState.conflict] as number,
      AccountState.pinned,
      STATE_SCALE[AccountState.pinned] as number,
      1,
    ],
  ],
  // As three numbers: OpenLayers' WebGL points renderer gives each feature attribute one float,
  // so a colour string (packed into two floats) cannot go through ["get", "color"].
  "circle-fill-color": ["color", ["get", "r"], ["get", "g"], ["get", "b"]],
  "circle-stroke-color": [
    "match",
    ["get", "state"],
    AccountState.unassigned,
    ring(AccountState.unassigned)[0],
    AccountState.conflict,
    ring(AccountState.conflict)[0],
    AccountState.pinned,
    ring(AccountState.pinned)[0],
    ring(AccountState.assigned)[0],
  ],
  "circle-stroke-width": [
    "match",
    ["get", "state"],
    AccountState.unassigned,
    ring(AccountState.unassigned)[1],
    AccountState.conflict,
    ring(AccountState.conflict)[1],
    AccountState.pinned,
    ring(AccountState.pinned)[1],
    ring(AccountState.assigned)[1],
  ],
};

type AccountFeature = Feature<Point>;

/**
 * Accounts are drawn, never picked: clicks and drags go to the territories.
 * OpenLayers asks every layer for features under the pointer (Translate,
 * Modify, forEachFeatureAtPixel without a filter), and a WebGL points layer
 * with hit detection disabled throws there; so it answers "nothing here".
 */
class WebGLAccountsLayer extends WebGLPointsLayer<VectorSource<AccountFeature>> {
  override createRenderer() {
    const renderer = super.createRenderer();
    renderer.forEachFeatureAtCoordinate = () => undefined;
    return renderer;
  }
}

const toMercator = getTransform("EPSG:4326", "EPSG:3857") as NonNullable<ReturnType<typeof getTransform>>;
const PENDING = "#9ca3af";
/** Drawn in this order by the canvas renderer, so unassigned, conflicting and pinned accounts are on top. */
const PASSES: number[][] = [
  [AccountState.assigned, AccountState.pending],
  [AccountState.conflict],
  [AccountState.unassigned],
  [AccountState.pinned],
];

/**
 * The plan's accounts as points coloured by their territory, on one layer:
 *
 * - **WebGL points** where the GPU is real: 50,000 stay smooth while panning
 *   (drawn from one buffer). One feature per account, created once per
 *   accounts version, so a new analysis only touches the accounts whose
 *   colour or state changed (a vertex drag moves tens, not 50,000).
 * - **Canvas** otherwise: an image layer whose canvas is drawn straight from
 *   the typed-array columns (one pre-rendered sprite per colour, state and
 *   size), once per view change, and only moved during a pan. No OpenLayers
 *   features at all: a vector image layer of 50,000 point features took
 *   0.5–0.7 s per redraw here, this takes a few tens of ms.
 */
export class AccountsLayer {
  readonly layer: BaseLayer;
  readonly renderer: PointsRenderer;
  #source: VectorSource<AccountFeature> | null = null;
  #image: ImageCanvasSource | null = null;
  #features: AccountFeature[] = [];
  #colors: string[] = [];
  #states = new Uint8Array(0);
  #accounts: PlanAccounts | null = null;
  #x = new Float64Array(0);
  #y = new Float64Array(0);
  #sprites = new Map<string, { canvas: HTMLCanvasElement; half: number }>();

  constructor(renderer: PointsRenderer) {
    this.renderer = renderer;
    const properties = { name: "accounts" };
    if (renderer === "webgl") {
      this.#source = new VectorSource<AccountFeature>({ wrapX: false });
      this.layer = new WebGLAccountsLayer({
        source: this.#source,
        properties,
        style: WEBGL_STYLE,
        disableHitDetection: true,
      });
    } else {
      this.#image = new ImageCanvasSource({
        canvasFunction: (extent, resolution, pixelRatio, size) => this.#draw(extent, resolution, pixelRatio, size),
        ratio: 1.25,
      });
      this.layer = new ImageLayer({ source: this.#image, properties });
    }
  }

  get count(): number {
    return this.#states.length;
  }

  /** The id of the account at an index (of the accounts drawn now). */
  idAt(i: number): string | null {
    return this.#accounts?.ids[i] ?? null;
  }

  /** Replaces the points (a new accounts version). Colours follow with `setColors`. */
  setAccounts(accounts: PlanAccounts): void {
    if (accounts === this.#accounts) return;
    this.#accounts = accounts;
    const n = accounts.count;
    const xy = new Array<number>(n * 2);
    for (let i = 0; i < n; i++) {
      xy[2 * i] = accounts.lon[i] as number;
      xy[2 * i + 1] = accounts.lat[i] as number;
    }
    toMercator(xy, xy, 2);
    this.#x = new Float64Array(n);
    this.#y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.#x[i] = xy[2 * i] as number;
      this.#y[i] = xy[2 * i + 1] as number;
    }
    this.#colors = new Array<string>(n).fill(PENDING);
    this.#states = new Uint8Array(n).fill(AccountState.pending);
    if (this.#source) {
      const [r, g, b] = rgb(PENDING);
      const features: AccountFeature[] = new Array(n);
      for (let i = 0; i < n; i++) {
        features[i] = new Feature({
          geometry: new Point([this.#x[i] as number, this.#y[i] as number]),
          color: PENDING,
          r,
          g,
          b,
          state: AccountState.pending,
        });
      }
      this.#features = features;
      this.#source.clear(true);
      this.#source.addFeatures(features.filter((_, i) => this.#drawable(i)));
    }
    this.#image?.changed();
  }

  #drawable(i: number): boolean {
    return Number.isFinite(this.#x[i]) && Number.isFinite(this.#y[i]);
  }

  /**
   * Applies each account's colour and state, touching only those that
   * changed; when most changed (a new assignment after an import, a recolour
   * of a large territory) the WebGL features are re-added in one go instead.
   */
  setColors(colors: readonly string[], states: Uint8Array): void {
    const n = Math.min(colors.length, this.#states.length);
    const changed: number[] = [];
    for (let i = 0; i < n; i++) {
      if (colors[i] !== this.#colors[i] || states[i] !== this.#states[i]) changed.push(i);
    }
    if (changed.length === 0) return;
    for (const i of changed) {
      this.#colors[i] = colors[i] as string;
      this.#states[i] = states[i] as number;
    }
    if (this.#source) {
      const bulk = changed.length > 2000;
      const channels = new Map<string, [number, number, number]>();
      for (const i of changed) {
        const color = colors[i] as string;
        let c = channels.get(color);
        if (!c) {
          c = rgb(color);
          channels.set(color, c);
        }
        (this.#features[i] as AccountFeature).setProperties(
          { color, state: states[i], r: c[0], g: c[1], b: c[2] },
          bulk,
        );
      }
      if (bulk) {
        // Silent property sets, then one re-add: one event for the renderer instead of thousands.
        this.#source.clear(true);
        this.#source.addFeatures(this.#features.filter((_, i) => this.#drawable(i)));
      }
    }
    this.#image?.changed();
  }

  /** The canvas renderer: every account inside the image extent, as sprites, straight from the columns. */
  #draw(extent: number[], resolution: number, pixelRatio: number, size: number[]): HTMLCanvasElement {
    const canvas = document.createElement("canvas");
    const [width, height] = size as [number, number];
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d");
    const n = this.#states.length;
    if (!ctx || n === 0) return canvas;
    const zoom = Math.log2(156543.03392804097 / resolution);
    const base = radiusAt(zoom);
    const scale = pixelRatio / resolution;
    const [x0, , , y1] = extent as [number, number, number, number];
    const xs = this.#x;
    const ys = this.#y;
    const states = this.#states;
    const colors = this.#colors;
    const margin = 20 * pixelRatio;
    for (const pass of PASSES) {
      for (let i = 0; i < n; i++) {
        const state = states[i] as number;
        if (!pass.includes(state)) continue;
        const px = ((xs[i] as number) - x0) * scale;
        const py = (y1 - (ys[i] as number)) * scale;
        if (!(px > -margin && py > -margin && px < width + margin && py < height + margin)) continue;
        const sprite = this.#sprite(colors[i] as string, state, base, pixelRatio);
        ctx.drawImage(sprite.canvas, Math.round(px - sprite.half), Math.round(py - sprite.half));
      }
    }
    return canvas;
  }

  #sprite(color: string, state: number, base: number, pixelRatio: number): { canvas: HTMLCanvasElement; half: number } {
    const radius = Math.round(base * (STATE_SCALE[state] ?? 1) * pixelRatio * 2) / 2;
    const key = `${color}|${state}|${radius}`;
    let sprite = this.#sprites.get(key);
    if (!sprite) {
      const [stroke, strokeWidth] = ring(state);
      const w = strokeWidth * pixelRatio;
      const half = Math.ceil(radius + w / 2 + 1);
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = half * 2;
      const ctx = canvas.getContext("2d");
      if (ctx) {
        ctx.beginPath();
        ctx.arc(half, half, radius, 0, 2 * Math.PI);
        ctx.fillStyle = color;
        ctx.fill();
        ctx.lineWidth = w;
        ctx.strokeStyle = stroke;
        ctx.stroke();
      }
      sprite = { canvas, half };
      if (this.#sprites.size > 2000) this.#sprites.clear();
      this.#sprites.set(key, sprite);
    }
    return sprite;
  }

  /** How many accounts are drawn in each state (for tests and the console). */
  stateCounts(): { assigned: number; unassigned: number; conflict: number; pending: number; pinned: number } {
    const c = { assigned: 0, unassigned: 0, conflict: 0, pending: 0, pinned: 0 };
    for (const s of this.#states) {
      if (s === AccountState.assigned) c.assigned++;
      else if (s === AccountState.pinned) c.pinned++;
      else if (s === AccountState.unassigned) c.unassigned++;
      else if (s === AccountState.conflict) c.conflict++;
      else c.pending++;
    }
    return c;
  }

  /**
   * The account drawn nearest a map coordinate (EPSG:3857) within `tolerance`
   * pixels of its dot's edge at this resolution, or -1. A scan of the columns:
   * a click or a hover frame over 50,000 accounts costs well under a
   * millisecond, less than keeping a spatial index in step with each import.
   */
  nearest(coordinate: number[], resolution: number, tolerance: number): number {
    if (!this.layer.getVisible()) return -1;
    const [x, y] = coordinate as [number, number];
    const base = radiusAt(Math.log2(156543.03392804097 / resolution));
    const xs = this.#x;
    const ys = this.#y;
    // Beyond the largest dot and the tolerance nothing can be hit: a cheap box test first.
    const reach = (base * 1.6 + tolerance) * resolution;
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (let i = 0; i < xs.length; i++) {
      const dx = (xs[i] as number) - x;
      const dy = (ys[i] as number) - y;
      if (dx > reach || dx < -reach || dy > reach || dy < -reach) continue;
      const d = Math.hypot(dx, dy) / resolution;
      const r = base * (STATE_SCALE[this.#states[i] as number] ?? 1) + tolerance;
      if (d <= r && d < bestD) {
        best = i;
        bestD = d;
      }
    }
    return best;
  }

  /** Map coordinates (EPSG:3857) of accounts, by index. */
  coordinates(indices: Iterable<number>): number[][] {
    const out: number[][] = [];
    for (const i of indices) {
      if (this.#drawable(i)) out.push([this.#x[i] as number, this.#y[i] as number]);
    }
    return out;
  }

  setVisible(on: boolean): void {
    this.layer.setVisible(on);
  }

  dispose(): void {
    this.#source?.clear(true);
    this.#sprites.clear();
    this.layer.dispose();
  }
}
