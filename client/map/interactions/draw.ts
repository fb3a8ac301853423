import type Polygon from "ol/geom/Polygon.js";
import Snap from "ol/interaction/Snap.js";
import { olToGeometry } from "../convert.ts";
import { sketchStyle } from "../styles.ts";
import { sketchTool } from "./sketch.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Draw tool: a polygon sketched with clicks becomes a new territory (in a
 * unit plan, the territory of the units inside it). Snap (added after Draw,
 * as OpenLayers requires) pulls corners onto the neighbours' vertices and
 * edges so borders meet without gaps.
 */
export function drawTool({ sync, editor }: ToolContext): ToolHandle {
  const sketch = sketchTool("Polygon", sketchStyle("draw"), (g) =>
    editor.createFromDrawing(olToGeometry(g as Polygon)),
  );
  return { ...sketch, interactions: [sketch.draw, new Snap({ source: sync.source, pixelTolerance: 10 })] };
}

/**
 * Fill tool (unit plans): draw a ring; every unit whose centre lies inside
 * goes to the selected territory, or with nothing selected to a new one.
 */
export function fillTool({ editor }: ToolContext): ToolHandle {
  return sketchTool("Polygon", sketchStyle("draw"), (g) => editor.fill(olToGeometry(g as Polygon)));
}
