import type { EditorState } from "../../state/editor.svelte.ts";

/**
 * The handlers of a territory table's row (spread onto it): a click or Enter
 * selects the territory, a double-click zooms the map to it.
 */
export function territoryRowHandlers(
  editor: Pick<EditorState, "select" | "map">,
  id: string,
): { onclick: () => void; ondblclick: () => void; onkeydown: (e: KeyboardEvent) => void } {
  return {
    onclick: () => editor.select([id]),
    ondblclick: () => editor.map?.zoomTo(id),
    onkeydown: (e) => {
      if (e.key === "Enter") editor.select([id]);
    },
  };
}
