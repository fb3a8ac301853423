import type { FeatureLike } from "ol/Feature.js";
import MultiPoint from "ol/geom/MultiPoint.js";
import MultiPolygon from "ol/geom/MultiPolygon.js";
import Point from "ol/geom/Point.js";
import Polygon from "ol/geom/Polygon.js";
import type Geometry from "ol/geom/Geometry.js";
import { Circle, Fill, Icon, Stroke, Style, Text } from "ol/style.js";
import { NO_DATA_COLOR } from "../analysis/colors.ts";
import { darken, hexToRgba } from "../lib/color.ts";

// The map's layers take the colour helpers from here too; panels import lib/color.ts.
export { darken, hexToRgba };

/**
 * How territories are filled: in their own colour, or by the chosen
 * metric's deviation (a choropleth; `balance` holds each territory's
 * colour, see analysis/colors.ts). Shared by the base image layer and the
 * overlays, so a lifted or selected territory is filled the same way.
 */
export interface FillState {
  mode: "territory" | "balance";
  balance: Map<string, string>;
  /** Territories outside this page's scoped edit link (issue 15): greyed, whatever the mode. */
  outside?: Set<string>;
}

/** The grey of a territory outside a scoped link's reach. */
export const OUTSIDE_COLOR = "#9ca3af";

/** The colour a territory is filled with under `fill`. */
export function fillColor(feature: FeatureLike, fill: FillState): string {
  if (fill.outside?.has(feature.getId() as string)) return OUTSIDE_COLOR;
  if (fill.mode === "balance") return fill.balance.get(feature.getId() as string) ?? NO_DATA_COLOR;
  return (feature.get("color") as string | undefined) ?? "#888888";
}

/** In balance mode the fill must be strong enough to read the palette; outlines turn neutral so they do not compete. */
const BALANCE_FILL_ALPHA = 0.66;
const BALANCE_OUTLINE = "#4b5563";

/** What the overlay style depends on besides the feature itself. */
export interface OverlayStyleState {
  fill: FillState;
  selection: Set<string>;
  /** Territory id → colour of another person who has it selected. */
  peerColors: Map<string, string>;
  /** Territories lifted out of the base layer for editing (reshape, move): drawn whole here. */
  lifted: Set<string>;
  /** Show the selected territory's vertices (reshape tool). */
  showVertices: boolean;
}

const FILL_ALPHA = 0.36;
const SELECTED_FILL_ALPHA = 0.55;

const vertexGeometries = new WeakMap<Geometry, { revision: number; points: MultiPoint }>();
function vertices(feature: FeatureLike): MultiPoint | undefined {
  const g = feature.getGeometry() as Geometry | undefined;
  if (!(g instanceof Polygon || g instanceof MultiPolygon)) return undefined;
  const cached = vertexGeometries.get(g);
  if (cached && cached.revision === g.getRevision()) return cached.points;
  const points = new MultiPoint(g.getFlatCoordinates().slice(), "XY");
  vertexGeometries.set(g, { revision: g.getRevision(), points });
  return points;
}

const baseCache = new Map<string, Style>();

/**
 * The base territory style: fill in the territory's colour (or its balance
 * colour), translucent so the map shows through, and a darker outline. It
 * depends on the colours only, so the base layer (an image layer, redrawn
 * only when data changes) does not redraw when the selection changes.
 */
export function baseStyle(fill: FillState) {
  return (feature: FeatureLike): Style => {
    const balance = fill.mode === "balance";
    const color = fillColor(feature, fill);
    const outside = fill.outside?.has(feature.getId() as string) ?? false;
    const key = `${fill.mode}|${color}|${outside}`;
    let style = baseCache.get(key);
    if (!style) {
      style = outside
        ? new Style({
            fill: new Fill({ color: hexToRgba(color, 0.22) }),
            stroke: new Stroke({ color: hexToRgba("#6b7280", 0.8), width: 1.2, lineDash: [5, 4] }),
          })
        : new Style({
            fill: new Fill({ color: hexToRgba(color, balance ? BALANCE_FILL_ALPHA : FILL_ALPHA) }),
            stroke: balance
              ? new Stroke({ color: hexToRgba(BALANCE_OUTLINE, 0.75), width: 1.2 })
              : new Stroke({ color: darken(color), width: 1.4 }),
          });
      if (baseCache.size > 2000) baseCache.clear();
      baseCache.set(key, style);
    }
    return style;
  };
}

const overlayCache = new Map<string, Style[]>();

/**
 * The overlay: my selection (white halo, strong outline, deeper fill), the
 * others' selections (dashed outline in their colour), and the territories
 * lifted out of the base layer while they are reshaped or moved (drawn whole,
 * with their label and, when reshaping, their vertices).
 */
export function overlayStyle(state: OverlayStyleState) {
  return (feature: FeatureLike, resolution: number): Style[] => {
    const id = feature.getId() as string;
    const balance = state.fill.mode === "balance";
    const color = fillColor(feature, state.fill);
    const own = (feature.get("color") as string | undefined) ?? "#888888";
    const selected = state.selection.has(id);
    const lifted = state.lifted.has(id);
    const peer = state.peerColors.get(id) ?? "";
    const showVertices = lifted && selected && state.showVertices;
    const key = `${state.fill.mode}|${color}|${own}|${selected}|${lifted}|${peer}|${showVertices}`;
    let styles = overlayCache.get(key);
    if (!styles) {
      styles = [];
      if (selected) styles.push(new Style({ stroke: new Stroke({ color: "rgba(255,255,255,0.95)", width: 7 }) }));
      if (lifted || selected) {
        // Over the base fill (when not lifted) a lighter extra fill gives the same depth as a lifted one.
        const base = balance ? BALANCE_FILL_ALPHA : FILL_ALPHA;
        const deep = balance ? Math.min(0.8, BALANCE_FILL_ALPHA + 0.1) : SELECTED_FILL_ALPHA;
        const alpha = lifted ? (selected ? deep : base) : 1 - (1 - deep) / (1 - base);
        // The outline keeps the territory's own colour even in balance mode: it says which one is selected.
        styles.push(
          new Style({
            fill: new Fill({ color: hexToRgba(color, alpha) }),
            stroke: new Stroke({ color: selected ? darken(own, 0.6) : darken(own), width: selected ? 3 : 1.4 }),
          }),
        );
      }
      if (peer) {
        styles.push(new Style({ stroke: new Stroke({ color: peer, width: 3, lineDash: [10, 6], lineCap: "butt" }) }));
      }
      if (showVertices) {
        styles.push(
          new Style({
            image: new Circle({
              radius: 4,
              fill: new Fill({ color: "#ffffff" }),
              stroke: new Stroke({ color: darken(own, 0.6), width: 2 }),
            }),
            geometry: vertices,
          }),
        );
      }
      if (overlayCache.size > 2000) overlayCache.clear();
      overlayCache.set(key, styles);
    }
    // A lifted territory is missing from the decluttered label layer: label it here.
    const label = lifted ? labelStyle(feature, resolution) : undefined;
    return label ? [...styles, label] : styles;
  };
}

/**
 * Where a territory's label goes: the interior point of its largest part, so
 * a multipolygon gets one label, not one per island. Cached per geometry
 * object (a changed territory gets a new geometry object).
 */
const labelPoints = new WeakMap<Geometry, Point>();
export function labelPoint(feature: FeatureLike): Point | undefined {
  const g = feature.getGeometry() as Geometry | undefined;
  if (!g) return undefined;
  let p = labelPoints.get(g);
  if (p) return p;
  if (g instanceof Polygon) {
    p = new Point(g.getInteriorPoint().getCoordinates().slice(0, 2));
  } else if (g instanceof MultiPolygon) {
    let best: Polygon | null = null;
    let bestArea = -1;
    for (const poly of g.getPolygons()) {
      const a = poly.getArea();
      if (a > bestArea) {
        bestArea = a;
        best = poly;
      }
    }
    if (!best) return undefined;
    p = new Point(best.getInteriorPoint().getCoordinates().slice(0, 2));
  } else {
    return undefined;
  }
  labelPoints.set(g, p);
  return p;
}

const NAME_FONT = '600 13px "Inter", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const REPS_FONT = '400 11px "Inter", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const labelCache = new Map<string, Style>();

/**
 * Name labels (reps underneath when zoomed in); drawn on a decluttered layer.
 * A territory too small on screen for its name gets none: decluttering would
 * hide most of those anyway, and measuring hundreds of labels that will not
 * show is what makes a large plan slow to open zoomed out.
 */
export function labelStyle(feature: FeatureLike, resolution: number): Style | undefined {
  const name = (feature.get("name") as string | undefined) ?? "";
  const extent = feature.getGeometry()?.getExtent();
  if (extent) {
    const widthPx = (extent[2] - extent[0]) / resolution;
    const heightPx = (extent[3] - extent[1]) / resolution;
    if (widthPx < Math.min(name.length * 7, 90) * 0.75 || heightPx < 12) return undefined;
  }
  const reps = (feature.get("reps") as string | undefined) ?? "";
  const withReps = reps !== "" && resolution < 600;
  const key = withReps ? `${name}\u0000${reps}` : name;
  let style = labelCache.get(key);
  if (!style) {
    style = new Style({
      geometry: labelPoint,
      text: new Text({
        text: withReps ? [name, NAME_FONT, "\n", "", reps, REPS_FONT] : name,
        font: NAME_FONT,
        fill: new Fill({ color: "#1f2937" }),
        stroke: new Stroke({ color: "rgba(255,255,255,0.92)", width: 3.5 }),
        overflow: true,
        padding: [2, 4, 2, 4],
      }),
    });
    if (labelCache.size > 5000) labelCache.clear();
    labelCache.set(key, style);
  }
  return style;
}

function cursorIcon(color: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22"><path d="M3 2 L3 18 L7.5 14 L10.5 20.5 L13.3 19.3 L10.4 12.9 L16.5 12.9 Z" fill="${color}" stroke="#ffffff" stroke-width="1.6" stroke-linejoin="round"/></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

const cursorCache = new Map<string, Style>();

/** A peer's live cursor: an arrow in their colour with a name tag. */
export function cursorStyle(feature: FeatureLike): Style {
  const color = (feature.get("color") as string | undefined) ?? "#444444";
  const name = (feature.get("name") as string | undefined) ?? "";
  const key = `${color}|${name}`;
  let style = cursorCache.get(key);
  if (!style) {
    style = new Style({
      image: new Icon({ src: cursorIcon(color), anchor: [3, 2], anchorXUnits: "pixels", anchorYUnits: "pixels" }),
      text: new Text({
        text: name,
        font: '600 12px "Inter", system-ui, sans-serif',
        fill: new Fill({ color: "#ffffff" }),
        backgroundFill: new Fill({ color }),
        padding: [3, 6, 2, 6],
        offsetX: 16,
        offsetY: 24,
        textAlign: "left",
      }),
    });
    if (cursorCache.size > 200) cursorCache.clear();
    cursorCache.set(key, style);
  }
  return style;
}

/** Sketch style while drawing a polygon or a split line. */
export function sketchStyle(kind: "draw" | "split"): Style[] {
  const color = kind === "split" ? "#dc2626" : "#0f766e";
  return [
    new Style({
      fill: new Fill({ color: hexToRgba(color, 0.12) }),
      stroke: new Stroke({ color: "#ffffff", width: 5 }),
    }),
    new Style({
      stroke: new Stroke({ color, width: 2.5, lineDash: kind === "split" ? [8, 6] : undefined }),
      image: new Circle({ radius: 5, fill: new Fill({ color }), stroke: new Stroke({ color: "#ffffff", width: 2 }) }),
    }),
  ];
}
