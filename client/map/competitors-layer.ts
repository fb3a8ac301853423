import Feature from "ol/Feature.js";
import Point from "ol/geom/Point.js";
import VectorImageLayer from "ol/layer/VectorImage.js";
import { fromLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, RegularShape, Stroke, Style } from "ol/style.js";
import type { PlanAccounts } from "../analysis/accounts.ts";

/** The competitors' symbol: a dark diamond with a white rim, apart from the accounts' round dots. */
export const COMPETITOR_COLOR = "#7f1d1d";

function diamond(radius: number): Style {
  return new Style({
    image: new RegularShape({
      points: 4,
      radius,
      angle: 0,
      fill: new Fill({ color: COMPETITOR_COLOR }),
      stroke: new Stroke({ color: "#ffffff", width: radius > 4 ? 1.5 : 1 }),
    }),
  });
}
/** Small over a whole island (hundreds of them would hide the territories), full size from a city's zoom on. */
const SMALL = diamond(3.2);
const LARGE = diamond(5.5);
/** Web Mercator metres per pixel at about zoom 9. */
const CITY_RESOLUTION = 300;

/**
 * The plan's competitors (issue 12) as one image layer: a few hundred to a
 * few thousand points, drawn once per view, above the accounts.
 */
export class CompetitorsLayer {
  readonly source = new VectorSource<Feature<Point>>({ wrapX: false });
  readonly layer = new VectorImageLayer({
    source: this.source,
    style: (_feature, resolution) => (resolution > CITY_RESOLUTION ? SMALL : LARGE),
    zIndex: 3,
    properties: { name: "competitors" },
  });
  #points: PlanAccounts | null = null;

  set(points: PlanAccounts): void {
    if (points === this.#points) return;
    this.#points = points;
    const features: Feature<Point>[] = [];
    for (let i = 0; i < points.count; i++) {
      const lon = points.lon[i] as number;
      const lat = points.lat[i] as number;
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
      const f = new Feature(new Point(fromLonLat([lon, lat])));
      f.setId(points.ids[i]);
      features.push(f);
    }
    this.source.clear(true);
    this.source.addFeatures(features);
  }

  get count(): number {
    return this.source.getFeatures().length;
  }

  setVisible(on: boolean): void {
    this.layer.setVisible(on);
  }
}
