import type OlMap from "ol/Map.js";
import type MapBrowserEvent from "ol/MapBrowserEvent.js";
import type Interaction from "ol/interaction/Interaction.js";
import type { EditorState } from "../../state/editor.svelte.ts";
import type { TerritoryFeature } from "../convert.ts";
import type { MapHits } from "../hits.ts";
import type { TerritorySync } from "../territory-sync.ts";

/** What a tool needs: the map, the synced territories, what is under the pointer, the editor's actions. */
export interface ToolContext {
  map: OlMap;
  sync: TerritorySync;
  editor: EditorState;
  hits: MapHits;
  /** The selected territories' features (a tool is made again when the selection changes). */
  selected: TerritoryFeature[];
}

export type MapClick = MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>;

/**
 * A tool while it is on: its OpenLayers interactions, and how it takes part
 * in the map's own click and hover handling (MapController asks; every tool's
 * behaviour lives in its own file beside this one).
 */
export interface ToolHandle {
  interactions: Interaction[];
  /** Clicks on the map belong to the tool's sketch or stroke: no pins, no selection, no hover pointer. */
  captures?: boolean;
  /** A click the tool takes before the map selects what is under it (pins come first); true when it did. */
  click?(e: MapClick): boolean;
  /** Shift-click adds to the selection or takes out of it. */
  multiSelect?: boolean;
  /** A click on an account's dot opens its card. */
  accounts?: boolean;
  /** The pointer over the map, wherever it is (pins aside). */
  cursor?: string;
  /** The pointer over a territory (default: "pointer"). */
  cursorOver?: string;
  /** Aborts a sketch in progress; false when there was none. */
  cancel?(): boolean;
  /** Removes the last sketched point; false when there was none. */
  removeLastPoint?(): boolean;
  dispose?(): void;
}

export type ToolFactory = (ctx: ToolContext) => ToolHandle;
