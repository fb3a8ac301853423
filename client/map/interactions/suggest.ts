import Collection from "ol/Collection.js";
import Feature from "ol/Feature.js";
import type MultiPolygon from "ol/geom/MultiPolygon.js";
import type Polygon from "ol/geom/Polygon.js";
import Modify from "ol/interaction/Modify.js";
import Snap from "ol/interaction/Snap.js";
import VectorLayer from "ol/layer/Vector.js";
import VectorSource from "ol/source/Vector.js";
import { geometryToOl, olToGeometry } from "../convert.ts";
import { ghostStyle } from "../suggestion-layer.ts";
import { unitStrokeTool } from "./paint.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/**
 * Suggest tool (issue 15): the suggestion being drawn, for the draft only —
 * nothing reaches the plan until the suggestion is sent and a manager
 * accepts it. In a drawn plan, a copy of the territory's shape drawn as a
 * ghost is reshaped like the Reshape tool does it (Modify on that one
 * feature, Snap to every territory); in a unit plan, units are painted into
 * the territory (Alt: out of it) with the Paint tool's stroke.
 */
export function suggestTool(ctx: ToolContext): ToolHandle {
  const { map, sync, editor } = ctx;
  const draft = editor.suggestions.draft;
  if (!draft) return { interactions: [] };
  if (editor.units.active) {
    return unitStrokeTool(ctx, {
      target: () => editor.suggestions.draft?.territoryId ?? null,
      commit: (units, erase) => editor.suggestions.paint(units, erase, (u) => editor.units.owner[u] ?? null),
    });
  }
  if (!draft.geometry) return { interactions: [] };
  const color = editor.territories.get(draft.territoryId)?.color ?? "#0f766e";
  const feature = new Feature(geometryToOl(draft.geometry));
  const source = new VectorSource<Feature<Polygon | MultiPolygon>>({ features: [feature], wrapX: false });
  const layer = new VectorLayer({
    source,
    style: ghostStyle(color, "open", true),
    zIndex: 5,
    updateWhileInteracting: true,
    updateWhileAnimating: true,
    properties: { name: "suggestion-draft" },
  });
  map.addLayer(layer);
  map.getTargetElement()?.setAttribute("data-suggestion-draft", draft.territoryId);
  const modify = new Modify({ features: new Collection([feature]), pixelTolerance: 12 });
  modify.on("modifyend", () => {
    const g = feature.getGeometry();
    if (g) editor.suggestions.setShape(olToGeometry(g));
  });
  return {
    interactions: [
      modify,
      new Snap({ source: sync.source, pixelTolerance: 10 }),
      new Snap({ source, pixelTolerance: 10 }),
    ],
    dispose() {
      map.removeLayer(layer);
      map.getTargetElement()?.removeAttribute("data-suggestion-draft");
    },
  };
}
