import Feature from "ol/Feature.js";
import Polygon from "ol/geom/Polygon.js";
import PointerInteraction from "ol/interaction/Pointer.js";
import VectorLayer from "ol/layer/Vector.js";
import type MapBrowserEvent from "ol/MapBrowserEvent.js";
import { fromLonLat, toLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import { Fill, Stroke, Style } from "ol/style.js";
import { unitRings } from "../../state/units.svelte.ts";
import { hexToRgba } from "../styles.ts";
import type { ToolContext, ToolHandle } from "./types.ts";

/** Along a fast drag, a unit is looked up every this many pixels, so no unit under the path is skipped. */
const STEP_PX = 4;

/**
 * Paint tool (issue 12): click or drag across units to give them to the
 * selected territory; with Alt held, to take them out of theirs. While the
 * pointer is down the stroke shows on a small vector layer of its own (the
 * units' image is not redrawn on every move); on release it is written as
 * one change — one undo step, one update for everyone.
 */
export function paintTool(ctx: ToolContext): ToolHandle {
  const { editor } = ctx;
  return unitStrokeTool(ctx, {
    target: () => editor.selected,
    commit: (painted, erase) => editor.paint(painted, erase),
  });
}

/** Where a stroke of units goes: the territory painted into, and what is done with the stroke on release. */
export interface UnitStroke {
  target(): string | null;
  commit(units: number[], erase: boolean): void;
}

/**
 * The Paint tool's interaction with what a stroke does left to the caller:
 * Paint writes it to the plan, a suggestion (issue 15) keeps it in its draft.
 */
export function unitStrokeTool({ map, editor }: ToolContext, stroke: UnitStroke): ToolHandle {
  const units = editor.units;
  const source = new VectorSource<Feature<Polygon>>({ wrapX: false });
  let fill = new Style({});
  const layer = new VectorLayer({
    source,
    style: () => fill,
    zIndex: 2,
    updateWhileInteracting: true,
    updateWhileAnimating: true,
    properties: { name: "paint-stroke" },
  });
  map.addLayer(layer);
  let painting: Set<number> | null = null;
  let erase = false;
  let last: number[] | null = null;

  const target = (): string | null => (erase ? null : stroke.target());
  const add = (coordinate: number[]) => {
    const [lon, lat] = toLonLat(coordinate) as [number, number];
    const u = units.unitAt(lon, lat);
    if (u < 0 || !painting || painting.has(u)) return;
    painting.add(u);
    if ((units.owner[u] ?? null) === target()) return;
    const d = units.data;
    if (!d) return;
    const rings = unitRings(d, u).map((r) => r.map((p) => fromLonLat(p)));
    source.addFeature(new Feature(new Polygon(rings)));
  };
  const along = (from: number[], to: number[]) => {
    const resolution = map.getView().getResolution() ?? 1;
    const dx = (to[0] as number) - (from[0] as number);
    const dy = (to[1] as number) - (from[1] as number);
    const steps = Math.min(2000, Math.ceil(Math.hypot(dx, dy) / (resolution * STEP_PX)));
    for (let i = 1; i <= steps; i++)
      add([(from[0] as number) + (dx * i) / steps, (from[1] as number) + (dy * i) / steps]);
  };

  const interaction = new PointerInteraction({
    handleDownEvent(e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>) {
      const ev = e.originalEvent as PointerEvent;
      if (ev.button !== 0 || !units.data || ev.shiftKey || ev.ctrlKey || ev.metaKey) return false;
      erase = ev.altKey;
      // No territory to paint into: the click selects one (the map's click handler).
      const into = stroke.target();
      if (!erase && !into) return false;
      const color = erase ? "#64748b" : (editor.territories.get(into as string)?.color ?? "#0f766e");
      fill = new Style({
        fill: new Fill({ color: hexToRgba(color, erase ? 0.35 : 0.7) }),
        stroke: new Stroke({ color: erase ? "#334155" : color, width: 1 }),
      });
      painting = new Set();
      last = e.coordinate;
      add(e.coordinate);
      return true;
    },
    handleDragEvent(e: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>) {
      if (!painting || !last) return;
      along(last, e.coordinate);
      last = e.coordinate;
    },
    handleUpEvent() {
      const painted = painting ? [...painting] : [];
      painting = null;
      last = null;
      stroke.commit(painted, erase);
      source.clear(true);
      return false;
    },
  });

  return {
    interactions: [interaction],
    // With a territory to paint into, a click is a one-unit stroke; without, it selects one.
    captures: stroke.target() !== null,
    cancel() {
      if (!painting) return false;
      painting = null;
      last = null;
      source.clear(true);
      return true;
    },
    dispose() {
      map.removeLayer(layer);
      source.clear(true);
    },
  };
}
