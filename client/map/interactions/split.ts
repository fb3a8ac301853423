import Draw from "ol/interaction/Draw.js";
import type LineString from "ol/geom/LineString.js";
import { toLonLat } from "ol/proj.js";
import type { Position } from "../../../shared/geometry/types.ts";
import { sketchStyle } from "../styles.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/** Split tool: sketch a line across the selected territory; the shared split cuts it in two. */
export function splitTool({ editor }: ToolContext): ToolHandle {
  const draw = new Draw({ type: "LineString", style: sketchStyle("split"), stopClick: true });
  let sketching = false;
  draw.on("drawstart", () => {
    sketching = true;
  });
  draw.on("drawabort", () => {
    sketching = false;
  });
  draw.on("drawend", (e) => {
    sketching = false;
    const line = (e.feature.getGeometry() as LineString).getCoordinates().map((c) => toLonLat(c) as Position);
    setTimeout(() => editor.split(line), 0);
  });
  return {
    interactions: [draw],
    cancel() {
      if (!sketching) return false;
      draw.abortDrawing();
      sketching = false;
      return true;
    },
    removeLastPoint() {
      if (!sketching) return false;
      draw.removeLastPoint();
      return true;
    },
  };
}
