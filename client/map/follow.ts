import type OlMap from "ol/Map.js";
import { fromLonLat, toLonLat } from "ol/proj.js";
import type { PresenceView } from "../../shared/protocol/presence.ts";
import { FollowGuard, sameView } from "./follow-guard.ts";

/** How long the map takes to glide to the followed view (updates come ~5 a second). */
const FOLLOW_MS = 220;
/** Keys OpenLayers pans or zooms with. */
const MAP_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "+", "-", "=", "_"]);

/**
 * Follow mode on the map: publishes my view as it changes (for those who
 * follow me), moves my view to the followed person's, and notices when I
 * move the map myself, which ends following.
 */
export class ViewFollower {
  #map: OlMap;
  #guard = new FollowGuard();
  #target: PresenceView | null = null;
  #publish: (view: PresenceView) => void;
  #onOwnMove: () => void;
  #offs: (() => void)[] = [];

  constructor(map: OlMap, options: { publish: (view: PresenceView) => void; onOwnMove: () => void }) {
    this.#map = map;
    this.#publish = options.publish;
    this.#onOwnMove = options.onOwnMove;
    const view = map.getView();
    const onChange = () => this.#changed();
    view.on(["change:center", "change:resolution"], onChange);
    this.#offs.push(() => view.un(["change:center", "change:resolution"], onChange));
    // Capture phase on the viewport: the zoom buttons stop their events from
    // reaching the map, but a capturing listener above them still sees them.
    const viewport = map.getViewport();
    const onInput = () => this.#guard.input();
    const onKey = (e: KeyboardEvent) => {
      if (MAP_KEYS.has(e.key)) this.#guard.input();
    };
    viewport?.addEventListener("pointerdown", onInput, true);
    viewport?.addEventListener("wheel", onInput, { capture: true, passive: true });
    const target = map.getTargetElement();
    target?.addEventListener("keydown", onKey, true);
    this.#offs.push(() => {
      viewport?.removeEventListener("pointerdown", onInput, true);
      viewport?.removeEventListener("wheel", onInput, true);
      target?.removeEventListener("keydown", onKey, true);
    });
  }

  /** The current view as lon/lat + zoom. */
  current(): PresenceView {
    const v = this.#map.getView();
    const [lon, lat] = toLonLat(v.getCenter() ?? [0, 0]);
    return { center: [lon as number, lat as number], zoom: v.getZoom() ?? 0 };
  }

  #changed(): void {
    this.#publish(this.current());
    if (this.#target && this.#guard.isOwnMove(this.#map.getView().getInteracting())) {
      this.#target = null;
      this.#onOwnMove();
    }
  }

  /** Moves with this view from now on (null: stop following). The same view again is a no-op. */
  follow(view: PresenceView | null): void {
    if (!view) {
      this.#target = null;
      return;
    }
    if (sameView(view, this.#target)) return;
    this.#target = view;
    const v = this.#map.getView();
    // A newer view replaces the glide in progress (its callback comes later and is ignored).
    v.cancelAnimations();
    const id = this.#guard.started();
    v.animate({ center: fromLonLat(view.center), zoom: view.zoom, duration: FOLLOW_MS }, () => this.#guard.ended(id));
  }

  /** A move the person asked for (zoom to all, to a territory, to an entry): not the follow's. */
  ownMove(): void {
    this.#guard.input();
  }

  destroy(): void {
    for (const off of this.#offs) off();
  }
}
