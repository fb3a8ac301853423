import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Merge tool: with one territory selected, the next territory clicked is
 * merged into it (shapes in a drawn plan, units in a unit plan); with two
 * selected, choosing the tool merges them at once (EditorState.setTool).
 */
export function mergeTool({ editor, hits }: ToolContext): ToolHandle {
  return {
    interactions: [],
    click(e) {
      const id = hits.territoryAt(e.pixel);
      if (!id || !editor.selected || id === editor.selected) return false;
      editor.merge(id);
      return true;
    },
  };
}
