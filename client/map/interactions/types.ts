import type OlMap from "ol/Map.js";
import type Interaction from "ol/interaction/Interaction.js";
import type { EditorState } from "../../state/editor.svelte.ts";
import type { TerritorySync } from "../territory-sync.ts";

/** What a tool needs: the map, the synced territory source and the editor's actions. */
export interface ToolContext {
  map: OlMap;
  sync: TerritorySync;
  editor: EditorState;
}

/** A tool's interactions, added to the map while the tool is active (OpenLayers draw-and-modify style). */
export interface ToolHandle {
  interactions: Interaction[];
  /** Aborts a sketch in progress; false when there was none. */
  cancel?(): boolean;
  /** Removes the last sketched point; false when there was none. */
  removeLastPoint?(): boolean;
  dispose?(): void;
}
