import Feature, { type FeatureLike } from "ol/Feature.js";
import MultiPolygon from "ol/geom/MultiPolygon.js";
import type { Polygon } from "ol/geom.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorImageLayer from "ol/layer/VectorImage.js";
import { fromLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, Stroke, Style } from "ol/style.js";
import type { UnitsData } from "../../shared/units/compact.ts";
import type { CompareKind, CompareShape, VersionTerritory } from "../versions/compare.ts";
import { geometryToOl } from "./convert.ts";
import { hatchTile } from "./hatch.ts";
import { hatchPattern } from "./issue-layers.ts";
import { baseStyle, darken, hexToRgba, labelStyle } from "./styles.ts";

/** What the map shows instead of the plan now (issue 14). */
export type VersionMapInput =
  | { kind: "view"; territories: readonly VersionTerritory[] }
  | {
      kind: "compare";
      shapes: readonly CompareShape[];
      /** Units that changed territory, unit index in `units` → the territory colour they went to. */
      moved: ReadonlyMap<number, string>;
      units: UnitsData | null;
    };

/** Colours of a comparison, on the map and in the panel's legend. */
export const COMPARE_COLORS = {
  added: "#15803d",
  removed: "#b91c1c",
  before: "#111827",
} as const;

const viewStyle = baseStyle({ mode: "territory", balance: new Map() });
const styleCache = new Map<string, Style | Style[]>();

function cached(key: string, make: () => Style | Style[]): Style | Style[] {
  let s = styleCache.get(key);
  if (!s) {
    s = make();
    if (styleCache.size > 2000) styleCache.clear();
    styleCache.set(key, s);
  }
  return s;
}

/** Stripes of the colour a moved unit went to, over a pale wash (as a proposal's moves are drawn). */
function movedPattern(color: string): CanvasPattern | string {
  const tile = hatchTile(8, "rgba(255, 255, 255, 0.45)", color, 2.6);
  return tile.getContext("2d")?.createPattern(tile, "repeat") ?? hexToRgba(color, 0.6);
}

/**
 * A comparison's style by kind: the later side filled (faint where nothing
 * changed, a strong green outline where added), the earlier side's removed
 * territories hatched red with a dashed outline and reshaped ones as a
 * dashed dark outline of the shape before; moved units hatched in the
 * colour of the territory they went to.
 */
function compareStyle(feature: FeatureLike): Style | Style[] {
  const kind = feature.get("kind") as CompareKind | "moved";
  const side = feature.get("side") as "before" | "after";
  const color = (feature.get("color") as string | undefined) ?? "#888888";
  return cached(`${side}|${kind}|${color}`, () => {
    if (kind === "moved") {
      // Hatching only: an outline per unit would draw every hexagon's edge.
      return new Style({ fill: new Fill({ color: movedPattern(color) }) });
    }
    if (side === "before") {
      if (kind === "removed") {
        return new Style({
          fill: new Fill({ color: hatchPattern() }),
          stroke: new Stroke({ color: COMPARE_COLORS.removed, width: 2.2, lineDash: [7, 4] }),
        });
      }
      return [
        new Style({ stroke: new Stroke({ color: "rgba(255,255,255,0.85)", width: 4 }) }),
        new Style({ stroke: new Stroke({ color: COMPARE_COLORS.before, width: 2, lineDash: [7, 5] }) }),
      ];
    }
    if (kind === "added") {
      return [
        new Style({
          fill: new Fill({ color: hexToRgba(color, 0.5) }),
          stroke: new Stroke({ color: "#fff", width: 5 }),
        }),
        new Style({ stroke: new Stroke({ color: COMPARE_COLORS.added, width: 2.6 }) }),
      ];
    }
    if (kind === "reshaped") {
      return new Style({
        fill: new Fill({ color: hexToRgba(color, 0.5) }),
        stroke: new Stroke({ color: darken(color), width: 2 }),
      });
    }
    // Unchanged (or only renamed, recoloured…): there for context, quiet.
    return new Style({
      fill: new Fill({ color: hexToRgba(color, 0.16) }),
      stroke: new Stroke({ color: hexToRgba(darken(color), 0.55), width: 1 }),
    });
  });
}

/** Only the later side's territories are named, so a reshaped one is not labelled twice. */
function compareLabel(feature: FeatureLike, resolution: number): Style | undefined {
  if (feature.get("side") !== "after") return undefined;
  return labelStyle(feature, resolution);
}

/**
 * A version opened or two compared, drawn over the basemap while the plan
 * now is hidden (issue 14): its own image layer for the shapes and a
 * decluttered one for the names, so the live layers underneath keep
 * following the document untouched and show again on "Back to now".
 */
export class VersionLayer {
  readonly source = new VectorSource({ wrapX: false });
  readonly layer = new VectorImageLayer({
    source: this.source,
    imageRatio: 1.25,
    visible: false,
    properties: { name: "version" },
  });
  readonly labels = new VectorLayer({
    source: this.source,
    declutter: true,
    visible: false,
    properties: { name: "version-labels" },
  });
  /** What was drawn last: kind → count (tests read it). */
  drawn: Record<string, number> = {};

  show(input: VersionMapInput | null): void {
    this.source.clear(true);
    this.drawn = {};
    const on = input !== null;
    this.layer.setVisible(on);
    this.labels.setVisible(on);
    if (!input) return;
    const features: Feature[] = [];
    if (input.kind === "view") {
      this.layer.setStyle(viewStyle);
      this.labels.setStyle(labelStyle);
      for (const t of input.territories) {
        if (!t.geometry) continue;
        const f = new Feature(geometryToOl(t.geometry));
        f.setId(t.id);
        f.setProperties({ name: t.name, color: t.color, side: "after", kind: "same" });
        features.push(f);
      }
      this.drawn.territories = features.length;
    } else {
      this.layer.setStyle(compareStyle);
      this.labels.setStyle(compareLabel);
      for (const s of input.shapes) {
        const f = new Feature(geometryToOl(s.geometry));
        f.setId(`${s.side}:${s.id}`);
        f.setProperties({ name: s.name, color: s.color, side: s.side, kind: s.kind });
        features.push(f);
        const key = `${s.side}-${s.kind}`;
        this.drawn[key] = (this.drawn[key] ?? 0) + 1;
      }
      if (input.units) {
        const moved = movedFeatures(input.units, input.moved);
        features.push(...moved.features);
        this.drawn.moved = moved.units;
      }
    }
    this.source.addFeatures(features);
  }
}

/** One hatched feature per colour the moved units went to, built from the unit layer's rings. */
function movedFeatures(d: UnitsData, moved: ReadonlyMap<number, string>): { features: Feature[]; units: number } {
  const byColor = new Map<string, number[][][][]>();
  let units = 0;
  for (const [u, color] of moved) {
    if (u < 0 || u >= d.count) continue;
    units++;
    let polys = byColor.get(color);
    if (!polys) {
      polys = [];
      byColor.set(color, polys);
    }
    for (let r = d.unitRings[u] as number; r < (d.unitRings[u + 1] as number); r++) {
      const ring: number[][] = [];
      for (let i = d.ringStart[r] as number; i < (d.ringStart[r + 1] as number); i++) {
        ring.push(fromLonLat([d.xy[2 * i] as number, d.xy[2 * i + 1] as number]));
      }
      if (ring.length > 2) {
        ring.push(ring[0] as number[]);
        polys.push([ring]);
      }
    }
  }
  const features: Feature[] = [];
  for (const [color, polys] of byColor) {
    const f = new Feature<Polygon | MultiPolygon>(new MultiPolygon(polys));
    f.setProperties({ color, side: "moved", kind: "moved" });
    features.push(f);
  }
  return { features, units };
}
