import type OlMap from "ol/Map.js";
import { unByKey } from "ol/Observable.js";
import { isEmpty } from "ol/extent.js";
import { fromLonLat, transformExtent } from "ol/proj.js";
import { type Box, overlayPadding, type Padding } from "./fit-padding.ts";
import type { ViewFollower } from "./follow.ts";

/**
 * Every move of the view the person asked for (fit all, zoom to a
 * territory, an issue, an activity entry's place, a comment's pin), each
 * clear of what floats over the map, and each telling follow mode that I
 * moved my map myself. Also keeps an element beside a place as the map moves.
 */
export class ViewMoves {
  constructor(
    private readonly map: OlMap,
    private readonly follower: ViewFollower,
  ) {}

  /** Fits a Web Mercator extent (nothing when it is empty). */
  fit(extent: number[] | null, base: Padding, maxZoom: number, duration: number): void {
    if (!extent || isEmpty(extent) || !Number.isFinite(extent[0])) return;
    this.follower.ownMove();
    this.map.getView().fit(extent, { padding: this.padding(base), maxZoom, duration });
  }

  /** Fits a lon/lat box [minLon, minLat, maxLon, maxLat]; a point-sized box is centred, not zoomed into. */
  fitLonLat(box: readonly number[], base: Padding = [110, 90, 110, 90], maxZoom = 13): void {
    if (box.length !== 4 || !box.every(Number.isFinite)) return;
    this.fit(transformExtent([...box], "EPSG:4326", "EPSG:3857"), base, maxZoom, 450);
  }

  /** Centres a place, zooming in if the view is too far out to tell where it is. */
  centre(at: [number, number]): void {
    this.follower.ownMove();
    const view = this.map.getView();
    view.animate({ center: fromLonLat(at), zoom: Math.max(view.getZoom() ?? 0, 10), duration: 400 });
  }

  /**
   * `base` plus the room taken by what floats over the map's edges (toolbar,
   * map-display card, hint bar: elements marked `data-map-overlay` beside the
   * map), so a fitted shape is never hidden under them.
   */
  padding(base: Padding): Padding {
    const el = this.map.getTargetElement();
    const area = el?.parentElement;
    if (!el || !area) return base;
    const box = el.getBoundingClientRect();
    const overlays: Box[] = [];
    for (const o of area.querySelectorAll<HTMLElement>("[data-map-overlay]")) {
      const r = o.getBoundingClientRect();
      overlays.push({ x0: r.left - box.left, y0: r.top - box.top, x1: r.right - box.left, y1: r.bottom - box.top });
    }
    return overlayPadding({ width: box.width, height: box.height }, overlays, base);
  }

  /**
   * Keeps an element (absolutely placed over the map) beside a place as the
   * map moves: to the right of and below it, or flipped left / up near the
   * map's edges, and always inside the map. Not an ol/Overlay: overlays live
   * in the map's own stacking context, under the cards floating on the map.
   */
  placeElement(element: HTMLElement, at: [number, number]): () => void {
    const coordinate = fromLonLat(at);
    const place = () => {
      const pixel = this.map.getPixelFromCoordinate(coordinate);
      const size = this.map.getSize();
      if (!pixel || !size) return;
      const [px, py] = pixel as [number, number];
      const [width, height] = size as [number, number];
      const w = element.offsetWidth;
      const h = element.offsetHeight;
      const margin = 8;
      let x = px + 18;
      if (x + w > width - margin) x = px - w - 12;
      // Below the place; above it (clear of its pin) when there is no room below.
      let y = py + 6;
      if (y + h > height - margin) y = py - h - 38;
      x = Math.max(margin, Math.min(x, width - w - margin));
      y = Math.max(margin, Math.min(y, height - h - margin));
      element.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
    };
    const key = this.map.on("postrender", place);
    place();
    return () => unByKey(key);
  }
}
