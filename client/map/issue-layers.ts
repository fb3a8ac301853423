import Feature from "ol/Feature.js";
import type { FeatureLike } from "ol/Feature.js";
import type Geometry from "ol/geom/Geometry.js";
import MultiPoint from "ol/geom/MultiPoint.js";
import type MultiPolygon from "ol/geom/MultiPolygon.js";
import type Polygon from "ol/geom/Polygon.js";
import Point from "ol/geom/Point.js";
import VectorLayer from "ol/layer/Vector.js";
import { fromLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Circle, Fill, Stroke, Style } from "ol/style.js";
import type { Issue } from "../../shared/scoring/types.ts";
import { LEVEL_COLORS } from "../analysis/colors.ts";
import { geometryToOl } from "./convert.ts";
import { hatchTile } from "./hatch.ts";

/** Red of overlaps, on the map and in the legend. */
export const OVERLAP_COLOR = "#dc2626";

let hatch: CanvasPattern | string | null = null;

/**
 * Diagonal hatching for overlaps: an area claimed twice reads as "not
 * right" at a glance, over any fill colour, and the territories underneath
 * stay visible through it.
 */
export function hatchPattern(): CanvasPattern | string {
  if (hatch) return hatch;
  const tile = hatchTile(9, "rgba(220, 38, 38, 0.12)", "rgba(185, 28, 28, 0.9)", 2);
  hatch = tile.getContext("2d")?.createPattern(tile, "repeat") ?? "rgba(220, 38, 38, 0.35)";
  return hatch;
}

let overlapStyle: Style | null = null;
function overlapStyleFn(): Style {
  overlapStyle ??= new Style({
    fill: new Fill({ color: hatchPattern() }),
    stroke: new Stroke({ color: OVERLAP_COLOR, width: 1.5 }),
  });
  return overlapStyle;
}

/** Every overlap of the latest analysis, hatched. Rebuilt only when the overlaps changed. */
export class OverlapLayer {
  readonly source = new VectorSource({ wrapX: false });
  readonly layer = new VectorLayer({
    source: this.source,
    style: overlapStyleFn,
    updateWhileInteracting: true,
    properties: { name: "overlaps" },
  });
  #key = "";

  setIssues(issues: readonly Issue[]): void {
    const overlaps = issues.filter((i) => i.kind === "overlap" && i.geometry);
    const key = overlaps.map((i) => `${i.id}:${i.areaKm2}:${i.bbox.join(",")}`).join("|");
    if (key === this.#key) return;
    this.#key = key;
    const features = overlaps.map((i) => {
      const f = new Feature(geometryToOl(i.geometry as NonNullable<Issue["geometry"]>));
      f.setId(i.id);
      return f;
    });
    this.source.clear(true);
    this.source.addFeatures(features);
  }
}

/** What is outlined for the highlighted issue. */
export type HighlightPart =
  | { role: "area"; geometry: Geometry }
  | { role: "territory"; geometry: Geometry; color: string }
  | { role: "accounts"; coordinates: number[][] }
  | { role: "marker"; at: [number, number] };

const highlightCache = new Map<string, Style[]>();

function highlightStyle(feature: FeatureLike): Style[] {
  const role = feature.get("role") as HighlightPart["role"];
  const color = (feature.get("color") as string | undefined) ?? OVERLAP_COLOR;
  const key = `${role}|${color}`;
  let styles = highlightCache.get(key);
  if (styles) return styles;
  const halo = new Stroke({ color: "rgba(255,255,255,0.95)", width: 7 });
  switch (role) {
    case "area":
      styles = [
        new Style({ stroke: halo }),
        new Style({ fill: new Fill({ color: hatchPattern() }), stroke: new Stroke({ color: "#991b1b", width: 3 }) }),
      ];
      break;
    case "territory":
      styles = [
        new Style({ stroke: halo }),
        new Style({ stroke: new Stroke({ color, width: 3.5, lineDash: [12, 7] }) }),
      ];
      break;
    case "accounts":
      styles = [
        new Style({
          image: new Circle({
            radius: 9,
            fill: new Fill({ color: "rgba(245, 158, 11, 0.18)" }),
            stroke: new Stroke({ color: "#b45309", width: 2.5 }),
          }),
        }),
      ];
      break;
    default:
      styles = [
        new Style({
          image: new Circle({
            radius: 14,
            fill: new Fill({ color: "rgba(255,255,255,0.25)" }),
            stroke: new Stroke({ color, width: 3 }),
          }),
        }),
      ];
  }
  highlightCache.set(key, styles);
  return styles;
}

/** The issue a person clicked in the list: outlined above everything but the labels. */
export class IssueHighlightLayer {
  readonly source = new VectorSource({ wrapX: false });
  readonly layer = new VectorLayer({
    source: this.source,
    style: highlightStyle,
    updateWhileInteracting: true,
    updateWhileAnimating: true,
    properties: { name: "issue-highlight" },
  });
  issueId: string | null = null;

  set(issueId: string | null, parts: HighlightPart[]): void {
    this.issueId = issueId;
    this.source.clear(true);
    const features = parts.map((p) => {
      const f = new Feature<Geometry>();
      f.set("role", p.role);
      if (p.role === "territory") f.set("color", p.color);
      if (p.role === "accounts") f.setGeometry(new MultiPoint(p.coordinates));
      else if (p.role === "marker") f.setGeometry(new Point(fromLonLat(p.at)));
      else f.setGeometry(p.geometry);
      return f;
    });
    this.source.addFeatures(features);
  }

  get featureCount(): number {
    return this.source.getFeatures().length;
  }

  /**
   * Outlines an issue: an overlap's area, else its territories' shapes, and
   * its accounts (the unassigned ones for a gap); a marker at its place when
   * there is nothing to draw.
   */
  show(
    issue: Issue,
    unassignedIds: readonly string[],
    shapeOf: (territoryId: string) => Polygon | MultiPolygon | undefined,
    coordinatesOf: (accountIds: readonly string[]) => number[][],
  ): void {
    const parts: HighlightPart[] = [];
    if (issue.kind === "overlap" && issue.geometry) {
      parts.push({ role: "area", geometry: geometryToOl(issue.geometry) });
    } else if (issue.kind !== "unassigned-accounts") {
      for (const id of issue.territoryIds) {
        const g = shapeOf(id);
        if (g) parts.push({ role: "territory", geometry: g.clone(), color: issueColor(issue) });
      }
    }
    const accountIds = issue.kind === "unassigned-accounts" ? unassignedIds : (issue.accountIds ?? []);
    const coordinates = accountIds.length > 0 ? coordinatesOf(accountIds) : [];
    if (coordinates.length > 0) parts.push({ role: "accounts", coordinates });
    if (parts.length === 0) parts.push({ role: "marker", at: [issue.at[0], issue.at[1]] });
    this.set(issue.id, parts);
  }
}

/** The colour a territory issue is outlined with. */
export function issueColor(issue: Issue): string {
  if (issue.severity === "error") return LEVEL_COLORS.error;
  if (issue.severity === "warning") return LEVEL_COLORS.warning;
  return "#2563eb";
}
