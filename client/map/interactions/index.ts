import type { Tool } from "../../state/editor.svelte.ts";
import { commentTool, selectTool } from "./comment.ts";
import { drawTool, fillTool } from "./draw.ts";
import { mergeTool } from "./merge.ts";
import { paintTool } from "./paint.ts";
import { reshapeTool } from "./reshape.ts";
import { splitTool } from "./split.ts";
import { suggestTool } from "./suggest.ts";
import { moveTool } from "./translate.ts";
import type { ToolFactory } from "./types.ts";

/** Every tool, by the name the toolbar and the keys use; each file owns its behaviour. */
export const TOOLS: Record<Tool, ToolFactory> = {
  select: selectTool,
  draw: drawTool,
  reshape: reshapeTool,
  move: moveTool,
  split: splitTool,
  merge: mergeTool,
  paint: paintTool,
  fill: fillTool,
  comment: commentTool,
  suggest: suggestTool,
};
