import Feature from "ol/Feature.js";
import type OlMap from "ol/Map.js";
import LineString from "ol/geom/LineString.js";
import Polygon from "ol/geom/Polygon.js";
import type Point from "ol/geom/Point.js";
import TileLayer from "ol/layer/Tile.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorImageLayer from "ol/layer/VectorImage.js";
import OSM from "ol/source/OSM.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, Stroke, Style } from "ol/style.js";
import countries10mUrl from "world-atlas/countries-10m.json?url";
import countries50mUrl from "world-atlas/countries-50m.json?url";
import type { BasemapRequest, BasemapResponse } from "./basemap.worker.ts";
import type { TerritoryFeature } from "./convert.ts";
import { baseStyle, cursorStyle, type FillState, labelStyle, type OverlayStyleState, overlayStyle } from "./styles.ts";

/** Map colours: a calm sea, warm land, quiet borders, so territories carry the colour. */
export const BASEMAP_COLORS = {
  sea: "#c9dfec",
  land: "#f6f3ec",
  coast: "#9fbdd0",
  border: "#b7ab98",
};

/** Zoom at which the detailed (1:10m) outlines replace the 1:50m ones. */
const DETAIL_ZOOM = 5;

/**
 * The offline basemap from world-atlas (Natural Earth): land filled, coasts
 * outlined, country borders as a mesh of shared edges only (so coasts are
 * not drawn twice). Two levels of detail: 1:50m when zoomed out, 1:10m
 * (3.6 MB) when zoomed in, each fetched and converted in a worker, the
 * detailed one only once the view first needs it. Rendered as image layers:
 * static data is redrawn once per view change, not on every frame of a pan.
 * The sea is the map element's background colour.
 */
export function createBasemap(onError: (e: unknown) => void): {
  layers: VectorImageLayer<VectorSource>[];
  start(map: OlMap): void;
} {
  const levels = [
    { url: countries50mUrl, range: { maxZoom: DETAIL_ZOOM }, loaded: false },
    { url: countries10mUrl, range: { minZoom: DETAIL_ZOOM }, loaded: false },
  ];
  const layers: VectorImageLayer<VectorSource>[] = [];
  const sources: { land: VectorSource; borders: VectorSource }[] = [];
  for (const level of levels) {
    const land = new VectorSource();
    const borders = new VectorSource();
    sources.push({ land, borders });
    layers.push(
      new VectorImageLayer({
        source: land,
        ...level.range,
        style: new Style({
          fill: new Fill({ color: BASEMAP_COLORS.land }),
          stroke: new Stroke({ color: BASEMAP_COLORS.coast, width: 1 }),
        }),
        imageRatio: 1.5,
        properties: { name: "basemap-land" },
      }),
      new VectorImageLayer({
        source: borders,
        ...level.range,
        style: new Style({ stroke: new Stroke({ color: BASEMAP_COLORS.border, width: 0.9, lineDash: [4, 3] }) }),
        imageRatio: 1.5,
        properties: { name: "basemap-borders" },
      }),
    );
  }
  const load = (i: number) => {
    const level = levels[i];
    const target = sources[i];
    if (!level || !target || level.loaded) return;
    level.loaded = true;
    const worker = new Worker(new URL("./basemap.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<BasemapResponse>) => {
      worker.terminate();
      if (!e.data.ok) {
        onError(new Error(e.data.error));
        return;
      }
      // One feature per polygon and per border line, so the spatial index
      // culls what is off screen instead of drawing the whole world each time.
      const { land, borders } = e.data;
      const landFeatures: Feature[] = [];
      let start = 0;
      for (const ends of land.endss) {
        const end = ends[ends.length - 1] ?? start;
        const flat = Array.from(land.flat.subarray(start, end));
        landFeatures.push(
          new Feature(
            new Polygon(
              flat,
              "XY",
              ends.map((x) => x - start),
            ),
          ),
        );
        start = end;
      }
      const borderFeatures: Feature[] = [];
      start = 0;
      for (const end of borders.ends) {
        borderFeatures.push(new Feature(new LineString(Array.from(borders.flat.subarray(start, end)), "XY")));
        start = end;
      }
      target.land.addFeatures(landFeatures);
      target.borders.addFeatures(borderFeatures);
    };
    worker.onerror = (e) => {
      worker.terminate();
      onError(e);
    };
    worker.postMessage({ url: new URL(level.url, location.href).href } satisfies BasemapRequest);
  };
  return {
    layers,
    /** Loads the outline level the view needs now, and the other one when the view first needs it. */
    start(map: OlMap) {
      const check = () => {
        // Same rule as the layers' visibility: maxZoom is inclusive, minZoom exclusive.
        const zoom = map.getView().getZoom() ?? 0;
        load(zoom <= DETAIL_ZOOM ? 0 : 1);
      };
      check();
      map.getView().on("change:resolution", check);
    },
  };
}

/**
 * OpenStreetMap tiles, off by default and created only when switched on, so
 * nothing is fetched from the internet unless someone asks (tests never do).
 */
export function createStreetLayer(): TileLayer<OSM> {
  return new TileLayer({ source: new OSM(), opacity: 0.85, properties: { name: "streets" } });
}

/**
 * The territories, fill and outline, as an image layer: drawn once per view
 * or data change, then only moved during pans. With 500 territories and
 * 100,000 vertices, redrawing the vectors on every frame of a pan is what
 * makes it stutter (most of all where the canvas is rasterised on the CPU).
 * Selection and editing are drawn on vector layers above, so they never
 * force this one to redraw.
 */
export function createTerritoryLayer(
  source: VectorSource<TerritoryFeature>,
  fill: FillState,
): VectorImageLayer<VectorSource<TerritoryFeature>> {
  return new VectorImageLayer({
    source,
    style: baseStyle(fill),
    imageRatio: 1.25,
    properties: { name: "territories" },
  });
}

/** Labels on their own layer: only they are decluttered, the fills are not. */
export function createLabelLayer(source: VectorSource<TerritoryFeature>): VectorLayer<VectorSource<TerritoryFeature>> {
  return new VectorLayer({
    source,
    style: labelStyle,
    declutter: true,
    properties: { name: "labels" },
  });
}

/** Selection outlines (mine and the others'), and territories lifted out of the base layer while edited. */
export function createOverlayLayer(
  source: VectorSource<TerritoryFeature>,
  state: OverlayStyleState,
  name: string,
): VectorLayer<VectorSource<TerritoryFeature>> {
  return new VectorLayer({
    source,
    style: overlayStyle(state),
    updateWhileInteracting: true,
    properties: { name },
  });
}

export function createCursorLayer(source: VectorSource<Feature<Point>>): VectorLayer<VectorSource<Feature<Point>>> {
  return new VectorLayer({
    source,
    style: cursorStyle,
    className: "cursors-layer",
    properties: { name: "cursors" },
    zIndex: 10,
  });
}
