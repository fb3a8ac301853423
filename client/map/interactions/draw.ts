import Draw from "ol/interaction/Draw.js";
import Snap from "ol/interaction/Snap.js";
import type Polygon from "ol/geom/Polygon.js";
import { olToGeometry } from "../convert.ts";
import { sketchStyle } from "../styles.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Draw tool: a polygon sketched with clicks becomes a new territory. Snap
 * (added after Draw, as OpenLayers requires) pulls corners onto the
 * neighbours' vertices and edges so borders meet without gaps. The Fill tool
 * of unit plans sketches the same way and hands the ring to `editor.fill`.
 */
export function drawTool({ sync, editor }: ToolContext, mode: "draw" | "fill" = "draw"): ToolHandle {
  const draw = new Draw({ type: "Polygon", style: sketchStyle("draw"), stopClick: true });
  let sketching = false;
  draw.on("drawstart", () => {
    sketching = true;
  });
  draw.on("drawabort", () => {
    sketching = false;
  });
  draw.on("drawend", (e) => {
    sketching = false;
    const geometry = olToGeometry(e.feature.getGeometry() as Polygon);
    // Let OpenLayers finish its own handling of the click before the tool changes under it.
    setTimeout(() => (mode === "fill" ? editor.fill(geometry) : editor.createFromDrawing(geometry)), 0);
  });
  const snap = new Snap({ source: sync.source, pixelTolerance: 10 });
  return {
    interactions: [draw, snap],
    cancel() {
      if (!sketching) return false;
      draw.abortDrawing();
      sketching = false;
      return true;
    },
    removeLastPoint() {
      if (!sketching) return false;
      // Removing the only point aborts the sketch (drawabort resets `sketching`).
      draw.removeLastPoint();
      return true;
    },
  };
}
