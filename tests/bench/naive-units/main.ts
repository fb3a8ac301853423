/**
 * The baseline of the units browser benchmark (tests/bench/units-browser.ts):
 * the same unit plan the way a stock OpenLayers app would show it — the
 * units as GeoJSON (`GET /api/plans/:id/units`), one feature per unit in a
 * VectorLayer with a style function (fill in the territory's colour, each
 * unit outlined), hit tests with `forEachFeatureAtPixel`, and painting by
 * setting the feature's `territory` as the pointer passes over it.
 *
 * It answers to the same hooks as the editor, so the benchmark drives both
 * with one script: `[data-testid="map"]` gets `data-ready="true"` after the
 * first complete render with the units and `data-unit-count`; its
 * `.wilayah` handle has pixelFor, unitAt, unitOwner, unitsOf and map; a
 * click selects the territory under it and "p" picks painting
 * (`data-tool="paint"`). Nothing is sent back to the server.
 */
import type Feature from "ol/Feature.js";
import GeoJSON from "ol/format/GeoJSON.js";
import type Geometry from "ol/geom/Geometry.js";
import PointerInteraction from "ol/interaction/Pointer.js";
import VectorLayer from "ol/layer/Vector.js";
import OlMap from "ol/Map.js";
import type MapBrowserEvent from "ol/MapBrowserEvent.js";
import { fromLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, Stroke, Style } from "ol/style.js";
import View from "ol/View.js";

const params = new URLSearchParams(location.search);
const planId = params.get("plan") ?? "";
const token = params.get("token");
const colors = JSON.parse(params.get("colors") ?? "{}") as Record<string, string>;
const target = document.getElementById("map") as HTMLElement;

function rgba(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const styles = new Map<string, Style>();
const none = new Style({
  fill: new Fill({ color: "rgba(148, 163, 184, 0.2)" }),
  stroke: new Stroke({ color: "rgba(31, 41, 55, 0.5)", width: 0.75 }),
});
function styleOf(feature: { get(key: string): unknown }): Style {
  const t = feature.get("territory") as string | null;
  if (!t) return none;
  let s = styles.get(t);
  if (!s) {
    const c = colors[t] ?? "#94a3b8";
    s = new Style({ fill: new Fill({ color: rgba(c, 0.5) }), stroke: new Stroke({ color: c, width: 0.75 }) });
    styles.set(t, s);
  }
  return s;
}

const source = new VectorSource<Feature<Geometry>>({ wrapX: false });
const map = new OlMap({
  target,
  layers: [new VectorLayer({ source, style: styleOf })],
  view: new View({ center: fromLonLat([112, -4]), zoom: 5, maxZoom: 19, minZoom: 2 }),
});
let features: Feature<Geometry>[] = [];
const index = new Map<Feature<Geometry>, number>();
let selected: string | null = null;
let painting = false;

const featureAt = (pixel: number[]): Feature<Geometry> | null =>
  (map.forEachFeatureAtPixel(pixel, (f) => f as Feature<Geometry>) as Feature<Geometry> | undefined) ?? null;

map.on("click", (e) => {
  if (painting) return;
  selected = (featureAt(e.pixel)?.get("territory") as string | null) ?? null;
  target.setAttribute("data-selected", selected ?? "");
});
window.addEventListener("keydown", (e) => {
  if (e.key !== "p" || painting) return;
  painting = true;
  map.addInteraction(paint);
  target.setAttribute("data-tool", "paint");
});
const paintAt = (pixel: number[]) => {
  const f = featureAt(pixel);
  if (f && selected && f.get("territory") !== selected) f.set("territory", selected);
};
const paint = new PointerInteraction({
  handleDownEvent(e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>) {
    if (!selected) return false;
    paintAt(e.pixel);
    return true;
  },
  handleDragEvent(e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>) {
    paintAt(e.pixel);
  },
  handleUpEvent() {
    return false;
  },
});

(target as HTMLElement & { wilayah?: unknown }).wilayah = {
  pixelFor: (lon: number, lat: number) => map.getPixelFromCoordinate(fromLonLat([lon, lat])),
  unitAt: (lon: number, lat: number) => {
    const c = fromLonLat([lon, lat]);
    const f = source.getFeaturesAtCoordinate(c)[0];
    return f ? (index.get(f) ?? -1) : -1;
  },
  unitOwner: (u: number) => (features[u]?.get("territory") as string | null) ?? null,
  unitsOf: (t: string) => features.flatMap((f, u) => (f.get("territory") === t ? [u] : [])),
  map,
};

async function load(): Promise<void> {
  const res = await fetch(`/api/plans/${planId}/units`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) throw new Error(`GET units: ${res.status}`);
  const json = await res.json();
  features = new GeoJSON().readFeatures(json, { featureProjection: "EPSG:3857" }) as Feature<Geometry>[];
  features.forEach((f, u) => {
    index.set(f, u);
  });
  source.addFeatures(features);
  map.getView().fit(source.getExtent()!, { padding: [70, 60, 70, 60] });
  map.once("rendercomplete", () => target.setAttribute("data-ready", "true"));
  target.setAttribute("data-unit-count", String(features.length));
}

load().catch((e: Error) => {
  target.setAttribute("data-error", e.message);
  throw e;
});
