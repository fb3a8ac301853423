import { toLonLat } from "ol/proj.js";
import type { ToolContext, ToolHandle } from "./types.ts";

/** Comment tool: a click opens a new comment there, about the territories under it (both, on a border). */
export function commentTool({ editor, hits }: ToolContext): ToolHandle {
  return {
    interactions: [],
    cursor: "crosshair",
    click(e) {
      const [lon, lat] = toLonLat(e.coordinate);
      editor.comments.startDraft([lon as number, lat as number], hits.territoriesAt(e.pixel));
      return true;
    },
  };
}

/** Select tool: click a territory (Shift-click for more), or an account's dot for its card. */
export function selectTool(_ctx: ToolContext): ToolHandle {
  return { interactions: [], multiSelect: true, accounts: true };
}
