import type { FeatureCollection, MultiLineString } from "geojson";
import type Feature from "ol/Feature.js";
import GeoJSON from "ol/format/GeoJSON.js";
import type Point from "ol/geom/Point.js";
import TileLayer from "ol/layer/Tile.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorImageLayer from "ol/layer/VectorImage.js";
import OSM from "ol/source/OSM.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, Stroke, Style } from "ol/style.js";
import { feature as topoFeature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import countries10mUrl from "world-atlas/countries-10m.json?url";
import countries50mUrl from "world-atlas/countries-50m.json?url";
import type { TerritoryFeature } from "./convert.ts";
import { cursorStyle, labelStyle, type TerritoryStyleState, territoryStyle } from "./styles.ts";

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
 * (3.6 MB, fetched in parallel) when zoomed in. Rendered as image layers:
 * static data is redrawn once per view change, not on every frame of a pan.
 * The sea is the map element's background colour.
 */
export function createBasemap(onError: (e: unknown) => void): VectorImageLayer<VectorSource>[] {
  const layers: VectorImageLayer<VectorSource>[] = [];
  for (const [url, range] of [
    [countries50mUrl, { maxZoom: DETAIL_ZOOM }],
    [countries10mUrl, { minZoom: DETAIL_ZOOM }],
  ] as const) {
    const land = new VectorSource();
    const borders = new VectorSource();
    layers.push(
      new VectorImageLayer({
        source: land,
        ...range,
        style: new Style({
          fill: new Fill({ color: BASEMAP_COLORS.land }),
          stroke: new Stroke({ color: BASEMAP_COLORS.coast, width: 1 }),
        }),
        imageRatio: 1.5,
        properties: { name: "basemap-land" },
      }),
      new VectorImageLayer({
        source: borders,
        ...range,
        style: new Style({ stroke: new Stroke({ color: BASEMAP_COLORS.border, width: 0.9, lineDash: [4, 3] }) }),
        imageRatio: 1.5,
        properties: { name: "basemap-borders" },
      }),
    );
    void loadCountries(url, land, borders).catch(onError);
  }
  return layers;
}

async function loadCountries(url: string, land: VectorSource, borders: VectorSource): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`basemap ${res.status}`);
  const topology = (await res.json()) as Topology;
  const format = new GeoJSON({ featureProjection: "EPSG:3857" });
  const landGeo = topoFeature(topology, topology.objects.land as GeometryCollection) as unknown as FeatureCollection;
  land.addFeatures(format.readFeatures(landGeo) as Feature[]);
  const borderGeo = mesh(topology, topology.objects.countries as GeometryCollection, (a, b) => a !== b) as MultiLineString;
  borders.addFeatures(format.readFeatures({ type: "Feature", properties: {}, geometry: borderGeo }) as Feature[]);
}

/**
 * OpenStreetMap tiles, off by default and created only when switched on, so
 * nothing is fetched from the internet unless someone asks (tests never do).
 */
export function createStreetLayer(): TileLayer<OSM> {
  return new TileLayer({ source: new OSM(), opacity: 0.85, properties: { name: "streets" } });
}

export function createTerritoryLayer(source: VectorSource<TerritoryFeature>, state: TerritoryStyleState): VectorLayer<VectorSource<TerritoryFeature>> {
  return new VectorLayer({
    source,
    style: territoryStyle(state),
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

export function createCursorLayer(source: VectorSource<Feature<Point>>): VectorLayer<VectorSource<Feature<Point>>> {
  return new VectorLayer({ source, style: cursorStyle, properties: { name: "cursors" }, zIndex: 10 });
}
