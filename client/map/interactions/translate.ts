import Collection from "ol/Collection.js";
import Translate from "ol/interaction/Translate.js";
import type { TerritoryGeometry } from "../../../shared/geometry/types.ts";
import { olToGeometry } from "../convert.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/** Move tool: drag the selected territories; written as one undoable step on release. */
export function moveTool({ sync, editor, selected: features }: ToolContext): ToolHandle {
  if (features.length === 0) return { interactions: [], multiSelect: true };
  const translate = new Translate({ features: new Collection(features), hitTolerance: 3 });
  const ids = features.map((f) => f.getId() as string);
  translate.on("translatestart", () => {
    for (const id of ids) sync.freeze(id);
  });
  translate.on("translateend", () => {
    const geometries = new Map<string, TerritoryGeometry>();
    for (const f of features) {
      const g = f.getGeometry();
      if (g) geometries.set(f.getId() as string, olToGeometry(g));
    }
    const ok = editor.commitGeometries(geometries);
    for (const id of ids) {
      if (!ok) sync.revert(id);
      sync.thaw(id);
    }
  });
  return {
    interactions: [translate],
    multiSelect: true,
    cursorOver: "move",
    dispose: () => {
      for (const id of ids) sync.thaw(id);
    },
  };
}
