import Feature from "ol/Feature.js";
import type MultiPolygon from "ol/geom/MultiPolygon.js";
import type Polygon from "ol/geom/Polygon.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorSource from "ol/source/Vector.js";
import { Circle, Fill, Stroke, Style } from "ol/style.js";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import type { SuggestionStatus } from "../../shared/suggestions/suggestion.ts";
import { hatchTile } from "./hatch.ts";
import { geometryToOl } from "./convert.ts";
import { darken, hexToRgba } from "./styles.ts";

/** A suggested shape to draw as a ghost: in the territory's colour, dashed, faded unless it is open. */
export interface Ghost {
  id: string;
  geometry: TerritoryGeometry;
  color: string;
  status: SuggestionStatus;
}

/**
 * The ghost of a suggested shape (issue 15): a dashed outline in the
 * territory's colour over a light hatch, with a white casing so it reads on
 * any fill; an outdated or decided one is drawn fainter. `editing` adds the
 * corners a reshape drags.
 */
export function ghostStyle(color: string, status: SuggestionStatus, editing = false): Style[] {
  const faded = status !== "open";
  const ink = darken(color, 0.6);
  return [
    new Style({
      fill: new Fill({ color: ghostHatch(ink, faded) }),
      stroke: new Stroke({ color: "rgba(255,255,255,0.9)", width: 5 }),
    }),
    new Style({
      stroke: new Stroke({ color: faded ? hexToRgba(ink, 0.55) : ink, width: 2.5, lineDash: [9, 6] }),
      ...(editing
        ? {
            image: new Circle({
              radius: 5,
              fill: new Fill({ color: ink }),
              stroke: new Stroke({ color: "#fff", width: 2 }),
            }),
          }
        : {}),
    }),
  ];
}

const hatches = new Map<string, CanvasPattern | string>();

/** Thin stripes of the territory's ink over a pale wash of it. */
function ghostHatch(ink: string, faded: boolean): CanvasPattern | string {
  const key = `${ink}|${faded}`;
  let pattern = hatches.get(key);
  if (!pattern) {
    const tile = hatchTile(10, hexToRgba(ink, faded ? 0.04 : 0.08), hexToRgba(ink, faded ? 0.25 : 0.5), 1.2);
    pattern = tile.getContext("2d")?.createPattern(tile, "repeat") ?? hexToRgba(ink, 0.15);
    hatches.set(key, pattern);
  }
  return pattern;
}

/** The suggestions' ghosts over the territories; the map element's `data-suggestion-ghosts` says how many. */
export class SuggestionLayer {
  readonly source = new VectorSource<Feature<Polygon | MultiPolygon>>({ wrapX: false });
  readonly layer = new VectorLayer({
    source: this.source,
    style: (f) => ghostStyle(f.get("color") as string, f.get("status") as SuggestionStatus),
    zIndex: 4,
    properties: { name: "suggestion-ghosts" },
  });
  #key = "";

  set(ghosts: readonly Ghost[]): void {
    const key = ghosts.map((g) => `${g.id}:${g.status}:${g.color}`).join("|");
    if (key === this.#key) return;
    this.#key = key;
    this.source.clear(true);
    this.source.addFeatures(
      ghosts.map((g) => {
        const f = new Feature(geometryToOl(g.geometry));
        f.setId(g.id);
        f.set("color", g.color);
        f.set("status", g.status);
        return f;
      }),
    );
  }

  get count(): number {
    return this.source.getFeatures().length;
  }
}
