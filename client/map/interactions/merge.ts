import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Merge tool: no interaction of its own. With one territory selected, the
 * map's click handler merges the next territory clicked into it
 * (MapController); with two selected, the toolbar merges them at once
 * (EditorState.setTool). The geometry is shared/geometry/merge.ts.
 */
export function mergeTool(_ctx: ToolContext): ToolHandle {
  return { interactions: [] };
}
