import type OlMap from "ol/Map.js";
import type VectorImageLayer from "ol/layer/VectorImage.js";
import { fromLonLat, toLonLat } from "ol/proj.js";
import type VectorSource from "ol/source/Vector.js";
import type * as Y from "yjs";
import type { UnitsState } from "../state/units.svelte.ts";
import type { AccountsLayer } from "./accounts-layer.ts";
import type { CommentLayer } from "./comment-layer.ts";
import { olToGeometry } from "./convert.ts";
import type { IssueHighlightLayer, OverlapLayer } from "./issue-layers.ts";
import type { TerritorySync } from "./territory-sync.ts";
import type { UnitsLayer } from "./units-layer.ts";

/** What the handle reads from. */
export interface HandleSources {
  map: OlMap;
  sync: TerritorySync;
  accounts: AccountsLayer;
  comments: CommentLayer;
  issue: IssueHighlightLayer;
  overlaps: OverlapLayer;
  units: UnitsState;
  unitsLayer: UnitsLayer;
  doc: () => Y.Doc;
}

/**
 * A read-only handle on the map element (`element.wilayah`) for end-to-end
 * tests, benchmarks and debugging in the console: where a lon/lat is on
 * screen, what the map shows for a territory, a unit, the accounts and pins.
 */
export function installTestHandle(target: HTMLElement, s: HandleSources): void {
  const { map, sync, units } = s;
  (target as HTMLElement & { wilayah?: unknown }).wilayah = {
    pixelFor: (lon: number, lat: number) => map.getPixelFromCoordinate(fromLonLat([lon, lat])),
    geometryOf: (id: string) => {
      const g = sync.getFeature(id)?.getGeometry();
      return g ? olToGeometry(g) : null;
    },
    featureCount: () => sync.source.getFeatures().length + sync.lifted.getFeatures().length,
    accountsRenderer: () => s.accounts.renderer,
    accountCount: () => s.accounts.count,
    accountStates: () => s.accounts.stateCounts(),
    /** The highlighted issue and how many shapes outline it. */
    highlighted: () => ({ issueId: s.issue.issueId, features: s.issue.featureCount }),
    overlapCount: () => s.overlaps.source.getFeatures().length,
    /** A unit plan: the unit under a lon/lat (-1: none), its territory, a unit's centre, a territory's units. */
    unitAt: (lon: number, lat: number) => units.unitAt(lon, lat),
    unitOwner: (u: number) => units.owner[u] ?? null,
    unitCentre: (u: number) => {
      const d = units.data;
      return d && u >= 0 && u < d.count ? [d.lon[u], d.lat[u]] : null;
    },
    unitsOf: (territoryId: string) => units.unitsOf(territoryId),
    /** The selected proposal's moved units drawn hatched by the units layer's last draw (those in view). */
    proposalMovesDrawn: () => s.unitsLayer.movesDrawn,
    /** Comment pins shown: thread id, lon/lat, open / resolved, selected. */
    commentPins: () => s.comments.pins(),
    /** The basemap's land outlines for the current zoom are loaded (screenshots wait for it). */
    basemapReady: () => {
      const zoom = map.getView().getZoom() ?? 0;
      return map
        .getLayers()
        .getArray()
        .some(
          (l) =>
            l.get("name") === "basemap-land" &&
            zoom > l.getMinZoom() &&
            zoom <= l.getMaxZoom() &&
            ((l as VectorImageLayer<VectorSource>).getSource()?.getFeatures().length ?? 0) > 0,
        );
    },
    view: () => {
      const v = map.getView();
      const [lon, lat] = toLonLat(v.getCenter() ?? [0, 0]);
      // moving: an animation (a glide, a kinetic pan) or a gesture is still under way.
      return { lon, lat, zoom: v.getZoom() ?? 0, moving: v.getAnimating() || v.getInteracting() };
    },
    map,
    doc: s.doc,
  };
}
