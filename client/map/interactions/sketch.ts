import type Geometry from "ol/geom/Geometry.js";
import Draw from "ol/interaction/Draw.js";
import type { Style } from "ol/style.js";
import type { ToolHandle } from "./types.ts";

/**
 * A sketch drawn with clicks (a polygon for Draw and Fill, a line for
 * Split): Esc aborts it, Ctrl+Z takes its last point back, and the finished
 * geometry goes to `onEnd` once OpenLayers has finished its own handling of
 * the click (the tool may change under it).
 */
export function sketchTool(
  type: "Polygon" | "LineString",
  style: Style[],
  onEnd: (geometry: Geometry) => void,
): ToolHandle & { draw: Draw } {
  const draw = new Draw({ type, style, stopClick: true });
  let sketching = false;
  draw.on("drawstart", () => {
    sketching = true;
  });
  draw.on("drawabort", () => {
    sketching = false;
  });
  draw.on("drawend", (e) => {
    sketching = false;
    const geometry = e.feature.getGeometry();
    if (geometry) setTimeout(() => onEnd(geometry), 0);
  });
  return {
    draw,
    interactions: [draw],
    captures: true,
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
