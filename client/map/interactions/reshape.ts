import Collection from "ol/Collection.js";
import Modify from "ol/interaction/Modify.js";
import Snap from "ol/interaction/Snap.js";
import { olToGeometry, type TerritoryFeature } from "../convert.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Reshape tool: Modify attached to the selected territory only (Modify
 * indexes every segment it manages, so never the whole source), with Snap on
 * all territories so dragged corners stick to neighbours' edges and corners.
 * The document is written once, on drag end, not on every pointer move.
 */
export function reshapeTool({ sync, editor, selected }: ToolContext): ToolHandle {
  const feature = selected.length === 1 ? (selected[0] as TerritoryFeature) : null;
  if (!feature) return { interactions: [] };
  const id = feature.getId() as string;
  const modify = new Modify({ features: new Collection([feature]), pixelTolerance: 12 });
  modify.on("modifystart", () => sync.freeze(id));
  modify.on("modifyend", () => {
    const geometry = feature.getGeometry();
    const ok = geometry ? editor.commitGeometries(new Map([[id, olToGeometry(geometry)]])) : false;
    if (!ok) sync.revert(id);
    sync.thaw(id);
  });
  // Snap to the neighbours (base source) and to the territory's own other corners (lifted source).
  const snapNeighbours = new Snap({ source: sync.source, pixelTolerance: 10 });
  const snapOwn = new Snap({ source: sync.lifted, pixelTolerance: 10 });
  return {
    interactions: [modify, snapNeighbours, snapOwn],
    dispose: () => sync.thaw(id),
  };
}
