import type OlMap from "ol/Map.js";
import type Layer from "ol/layer/Layer.js";
import { toLonLat } from "ol/proj.js";
import type { UnitsState } from "../state/units.svelte.ts";
import type { AccountsLayer } from "./accounts-layer.ts";
import { CommentLayer } from "./comment-layer.ts";

/**
 * From this zoom on a click on an account's dot opens its card (and pins it,
 * for managers); further out the dots crowd so that a click meant for a
 * territory would land on an account.
 */
export const ACCOUNT_CLICK_ZOOM = 9;
/** Pixels around a dot that still count as a click on it. */
const ACCOUNT_HIT_PX = 3;

/**
 * What is under a pixel of the map: a territory (in a unit plan, the owner
 * of the unit there), every territory on a shared border, a comment pin, an
 * account's dot. Tools and the map's click and hover handling ask here.
 */
export class MapHits {
  constructor(
    private readonly map: OlMap,
    private readonly layers: {
      isTerritory: (l: Layer) => boolean;
      comments: CommentLayer;
      accounts: AccountsLayer;
      units: UnitsState;
    },
  ) {}

  #isComment = (l: Layer): boolean => l === this.layers.comments.layer;

  /** In a unit plan: the territory of the unit under a pixel (null: none, or no unit). */
  #unitOwnerAt(pixel: number[]): string | null {
    const units = this.layers.units;
    const [lon, lat] = toLonLat(this.map.getCoordinateFromPixel(pixel));
    const u = units.unitAt(lon as number, lat as number);
    return u >= 0 ? (units.owner[u] ?? null) : null;
  }

  /** The territory under a pixel (the topmost one), or null. */
  territoryAt(pixel: number[]): string | null {
    if (this.layers.units.active) return this.#unitOwnerAt(pixel);
    let found: string | null = null;
    this.map.forEachFeatureAtPixel(
      pixel,
      (f) => {
        const id = f.getId();
        if (typeof id !== "string") return false;
        found = id;
        return true;
      },
      { layerFilter: this.layers.isTerritory, hitTolerance: 2 },
    );
    return found;
  }

  /** Whether a territory is under a pixel (cheaper than asking which). */
  overTerritory(pixel: number[]): boolean {
    if (this.layers.units.active) return this.#unitOwnerAt(pixel) !== null;
    return this.map.hasFeatureAtPixel(pixel, { layerFilter: this.layers.isTerritory, hitTolerance: 2 });
  }

  /** Every territory under a pixel, topmost first: on a shared border, both neighbours. */
  territoriesAt(pixel: number[]): string[] {
    if (this.layers.units.active) {
      const id = this.#unitOwnerAt(pixel);
      return id ? [id] : [];
    }
    const ids: string[] = [];
    this.map.forEachFeatureAtPixel(
      pixel,
      (f) => {
        const id = f.getId();
        if (typeof id === "string" && !ids.includes(id)) ids.push(id);
      },
      { layerFilter: this.layers.isTerritory, hitTolerance: 4 },
    );
    return ids;
  }

  /** The comment thread whose pin is under a pixel, or null. */
  pinAt(pixel: number[]): string | null {
    let found: string | null = null;
    this.map.forEachFeatureAtPixel(
      pixel,
      (f) => {
        found = CommentLayer.threadId(f);
        return found !== null;
      },
      { layerFilter: this.#isComment, hitTolerance: 3 },
    );
    return found;
  }

  overPin(pixel: number[]): boolean {
    return this.map.hasFeatureAtPixel(pixel, { layerFilter: this.#isComment, hitTolerance: 3 });
  }

  /** The id of the account whose dot is under a map coordinate, when zoomed in enough to tell dots apart. */
  accountAt(coordinate: number[]): string | null {
    const view = this.map.getView();
    if ((view.getZoom() ?? 0) < ACCOUNT_CLICK_ZOOM) return null;
    const accounts = this.layers.accounts;
    const i = accounts.nearest(coordinate, view.getResolution() ?? 1, ACCOUNT_HIT_PX);
    return i >= 0 ? accounts.idAt(i) : null;
  }
}
