import type OlMap from "ol/Map.js";
import { toLonLat } from "ol/proj.js";
import type { EditorState } from "../state/editor.svelte.ts";
import type { MapHits } from "./hits.ts";
import type { MapClick, ToolHandle } from "./interactions/types.ts";

/**
 * The pointer over the map: published as my cursor for the others, the
 * mouse pointer's shape (a hand over what a click would take, the tool's
 * own otherwise), and in a unit plan the unit under it for its card. The
 * hit tests run at most once a frame.
 */
export class MapHover {
  #frame = 0;

  constructor(
    private readonly map: OlMap,
    private readonly editor: EditorState,
    private readonly hits: MapHits,
    private readonly tool: () => ToolHandle | null,
  ) {
    map.on("pointermove", (e) => this.#onMove(e));
    map.getViewport()?.addEventListener("pointerleave", () => {
      editor.presence.setCursor(null);
      editor.units.hover = null;
    });
  }

  #onMove(e: MapClick): void {
    const [lon, lat] = toLonLat(e.coordinate);
    this.editor.presence.setCursor([lon as number, lat as number]);
    if (e.dragging || this.#frame) return;
    const pixel = e.pixel;
    const coordinate = e.coordinate;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#unit(pixel, coordinate);
      const el = this.map.getViewport();
      if (!el) return;
      const tool = this.tool();
      if (tool?.captures) {
        el.style.cursor = tool.cursor ?? "";
        return;
      }
      const overPin = this.hits.overPin(pixel) || (!!tool?.accounts && this.hits.accountAt(coordinate) !== null);
      if (overPin) el.style.cursor = "pointer";
      else if (tool?.cursor) el.style.cursor = tool.cursor;
      else el.style.cursor = this.hits.overTerritory(pixel) ? (tool?.cursorOver ?? "pointer") : "";
    });
  }

  /** In a unit plan: which unit is under the pointer, for its card (name, figures, accounts). */
  #unit(pixel: number[], coordinate: number[]): void {
    const units = this.editor.units;
    if (!units.active || !units.data) return;
    const [lon, lat] = toLonLat(coordinate);
    const u = units.unitAt(lon as number, lat as number);
    const now = units.hover;
    if (u < 0) {
      if (now) units.hover = null;
      return;
    }
    if (now?.unit === u && now.x === pixel[0] && now.y === pixel[1]) return;
    units.hover = { unit: u, x: pixel[0] as number, y: pixel[1] as number };
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
  }
}
