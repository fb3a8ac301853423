import type LineString from "ol/geom/LineString.js";
import { toLonLat } from "ol/proj.js";
import type { Position } from "../../../shared/geometry/types.ts";
import { sketchStyle } from "../styles.ts";
import { sketchTool } from "./sketch.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Split tool: with one territory selected, sketch a line across it; the
 * shared split cuts it in two (in a unit plan, its units by the side of the
 * line their centres fall on). With none selected, a click selects one.
 */
export function splitTool({ editor, selected }: ToolContext): ToolHandle {
  if (selected.length !== 1) return { interactions: [] };
  return sketchTool("LineString", sketchStyle("split"), (g) =>
    editor.split((g as LineString).getCoordinates().map((c) => toLonLat(c) as Position)),
  );
}
