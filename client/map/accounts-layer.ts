import Feature from "ol/Feature.js";
import type { FeatureLike } from "ol/Feature.js";
import Point from "ol/geom/Point.js";
import type BaseLayer from "ol/layer/Base.js";
import VectorImageLayer from "ol/layer/VectorImage.js";
import WebGLPointsLayer from "ol/layer/WebGLPoints.js";
import { getTransform } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Circle, Fill, Stroke, Style } from "ol/style.js";
import type { FlatStyle } from "ol/style/flat.js";
import type { PlanAccounts } from "../analysis/accounts.ts";
import { AccountState, rgb } from "../analysis/colors.ts";

export type PointsRenderer = "webgl" | "canvas";

const RENDERER_KEY = "wilayah.points";

/**
 * WebGL when the browser gives us a context, else the canvas fallback. A
 * `?points=canvas|webgl` query parameter or `localStorage["wilayah.points"]`
 * forces one (the end-to-end tests run both).
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
    const gl = canvas.getContext("webgl2") ?? canvas.getContext("webgl");
    if (!gl) return "canvas";
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return "webgl";
  } catch {
    return "canvas";
  }
}

type AccountFeature = Feature<Point>;

// Zoom → radius in pixels: small dots over a whole island, bigger when a town fills the screen.
const RADIUS_STOPS: [number, number][] = [
  [4, 1.6],
  [7, 2.4],
  [10, 3.6],
  [13, 5],
  [16, 6.5],
];
/** Unassigned and conflicting accounts are drawn larger, with a ring that stands out. */
const STATE_SCALE: Record<number, number> = {
  [AccountState.assigned]: 1,
  [AccountState.unassigned]: 1.55,
  [AccountState.conflict]: 1.45,
  [AccountState.pending]: 1,
};
const RING: Record<number, [string, number]> = {
  [AccountState.assigned]: ["rgba(255,255,255,0.92)", 0.8],
  [AccountState.unassigned]: ["#f59e0b", 2],
  [AccountState.conflict]: ["#ffffff", 1.6],
  [AccountState.pending]: ["rgba(255,255,255,0.8)", 0.6],
};

/** The same look as the WebGL style's expression, for the canvas fallback. */
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
    (RING[AccountState.unassigned] as [string, number])[0],
    AccountState.conflict,
    (RING[AccountState.conflict] as [string, number])[0],
    (RING[AccountState.assigned] as [string, number])[0],
  ],
  "circle-stroke-width": [
    "match",
    ["get", "state"],
    AccountState.unassigned,
    (RING[AccountState.unassigned] as [string, number])[1],
    AccountState.conflict,
    (RING[AccountState.conflict] as [string, number])[1],
    (RING[AccountState.assigned] as [string, number])[1],
  ],
};

const canvasCache = new Map<string, Style>();

/** Canvas fallback style: one cached Style per colour, state and half-pixel radius. */
function canvasStyle(feature: FeatureLike, resolution: number): Style {
  const color = (feature.get("color") as string | undefined) ?? "#9ca3af";
  const state = (feature.get("state") as number | undefined) ?? AccountState.pending;
  const zoom = Math.log2(156543.03392804097 / resolution);
  const radius = Math.round(radiusAt(zoom) * (STATE_SCALE[state] ?? 1) * 2) / 2;
  const key = `${color}|${state}|${radius}`;
  let style = canvasCache.get(key);
  if (!style) {
    const [ring, width] = RING[state] ?? (RING[AccountState.assigned] as [string, number]);
    style = new Style({
      image: new Circle({ radius, fill: new Fill({ color }), stroke: new Stroke({ color: ring, width }) }),
    });
    if (canvasCache.size > 4000) canvasCache.clear();
    canvasCache.set(key, style);
  }
  return style;
}

/**
 * Accounts are drawn, never picked: clicks and drags go to the territories.
 * OpenLayers asks every layer for features under the pointer (Translate,
 * Modify, forEachFeatureAtPixel without a filter); a WebGL points layer
 * with hit detection disabled throws there, and a canvas layer of 50,000
 * points would search them all. So both answer "nothing here".
 */
class WebGLAccountsLayer extends WebGLPointsLayer<VectorSource<AccountFeature>> {
  override createRenderer() {
    const renderer = super.createRenderer();
    renderer.forEachFeatureAtCoordinate = () => undefined;
    return renderer;
  }
}

class CanvasAccountsLayer extends VectorImageLayer<VectorSource<AccountFeature>> {
  override createRenderer() {
    const renderer = super.createRenderer();
    renderer.forEachFeatureAtCoordinate = () => undefined;
    return renderer;
  }
}

const toMercator = getTransform("EPSG:4326", "EPSG:3857") as NonNullable<ReturnType<typeof getTransform>>;

/**
 * The plan's accounts as points coloured by their territory, on one layer:
 * WebGL points (50,000 stay smooth while panning: the GPU draws them from
 * one buffer), or where WebGL is missing a canvas image layer (redrawn once
 * per view change and only moved during a pan, like the territories).
 *
 * One feature per account, created once per accounts version and kept in
 * account order, so a new analysis only touches the accounts whose colour
 * or state changed (a vertex drag moves tens of accounts, not 50,000).
 */
export class AccountsLayer {
  readonly source = new VectorSource<AccountFeature>({ wrapX: false });
  readonly layer: BaseLayer;
  readonly renderer: PointsRenderer;
  #features: AccountFeature[] = [];
  #colors: string[] = [];
  #states = new Uint8Array(0);
  #accounts: PlanAccounts | null = null;
  #x = new Float64Array(0);
  #y = new Float64Array(0);

  constructor(renderer: PointsRenderer) {
    this.renderer = renderer;
    const common = { source: this.source, properties: { name: "accounts" } } as const;
    this.layer =
      renderer === "webgl"
        ? new WebGLAccountsLayer({ ...common, style: WEBGL_STYLE, disableHitDetection: true })
        : new CanvasAccountsLayer({ ...common, style: canvasStyle, imageRatio: 1.25 });
  }

  get count(): number {
    return this.#features.length;
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
    const features: AccountFeature[] = [];
    const kept: AccountFeature[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = xy[2 * i] as number;
      const y = xy[2 * i + 1] as number;
      this.#x[i] = x;
      this.#y[i] = y;
      const f = new Feature({
        geometry: new Point([x, y]),
        color: "#9ca3af",
        r: 156,
        g: 163,
        b: 175,
        state: AccountState.pending,
      });
      kept[i] = f;
      if (Number.isFinite(x) && Number.isFinite(y)) features.push(f);
    }
    this.#features = kept;
    this.#colors = new Array<string>(n).fill("#9ca3af");
    this.#states = new Uint8Array(n).fill(AccountState.pending);
    this.source.clear(true);
    this.source.addFeatures(features);
  }

  /**
   * Applies each account's colour and state, touching only those that
   * changed; a change of most of them (a new assignment after an import, a
   * recolour of a large territory) replaces the features in one go instead.
   */
  setColors(colors: readonly string[], states: Uint8Array): void {
    const n = Math.min(colors.length, this.#features.length);
    const changed: number[] = [];
    for (let i = 0; i < n; i++) {
      if (colors[i] !== this.#colors[i] || states[i] !== this.#states[i]) changed.push(i);
    }
    if (changed.length === 0) return;
    const bulk = changed.length > 2000;
    const channels = new Map<string, [number, number, number]>();
    for (const i of changed) {
      const color = colors[i] as string;
      const state = states[i] as number;
      this.#colors[i] = color;
      this.#states[i] = state;
      let c = channels.get(color);
      if (!c) {
        c = rgb(color);
        channels.set(color, c);
      }
      (this.#features[i] as AccountFeature).setProperties({ color, state, r: c[0], g: c[1], b: c[2] }, bulk);
    }
    if (bulk) {
      // Silent property sets, then one re-add: one event for the renderers instead of thousands.
      const all = this.#features.filter((_, i) => Number.isFinite(this.#x[i]) && Number.isFinite(this.#y[i]));
      this.source.clear(true);
      this.source.addFeatures(all);
    }
  }

  /** How many accounts are drawn in each state (for tests and the console). */
  stateCounts(): { assigned: number; unassigned: number; conflict: number; pending: number } {
    const c = { assigned: 0, unassigned: 0, conflict: 0, pending: 0 };
    for (const s of this.#states) {
      if (s === AccountState.assigned) c.assigned++;
      else if (s === AccountState.unassigned) c.unassigned++;
      else if (s === AccountState.conflict) c.conflict++;
      else c.pending++;
    }
    return c;
  }

  /** Map coordinates (EPSG:3857) of accounts, by index. */
  coordinates(indices: Iterable<number>): number[][] {
    const out: number[][] = [];
    for (const i of indices) {
      const x = this.#x[i];
      const y = this.#y[i];
      if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y)) out.push([x, y]);
    }
    return out;
  }

  setVisible(on: boolean): void {
    this.layer.setVisible(on);
  }

  dispose(): void {
    this.source.clear(true);
    this.layer.dispose();
  }
}
