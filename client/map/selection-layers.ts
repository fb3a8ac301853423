import type VectorLayer from "ol/layer/Vector.js";
import VectorSource from "ol/source/Vector.js";
import type { TerritoryFeature } from "./convert.ts";
import { createOverlayLayer } from "./layers.ts";
import type { FillState, OverlayStyleState } from "./styles.ts";
import type { TerritorySync } from "./territory-sync.ts";

/**
 * What is drawn over the territories' base image for selection: outlines of
 * the territories I and the others have selected (in each person's colour),
 * and the territories lifted out of the base image while they are reshaped
 * or moved (drawn whole, with their vertices when reshaping).
 */
export class SelectionLayers {
  readonly style: OverlayStyleState;
  /** Selected territories (mine and others') that are not lifted. */
  readonly #outlined = new VectorSource<TerritoryFeature>();
  readonly outlines: VectorLayer<VectorSource<TerritoryFeature>>;
  readonly lifted: VectorLayer<VectorSource<TerritoryFeature>>;

  constructor(
    private readonly sync: TerritorySync,
    fill: FillState,
  ) {
    this.style = { fill, selection: new Set(), peerColors: new Map(), lifted: new Set(), showVertices: false };
    this.outlines = createOverlayLayer(this.#outlined, this.style, "selection");
    this.lifted = createOverlayLayer(sync.lifted, this.style, "editing");
  }

  /** My selection, which of it is lifted for the tool, and whether the tool shows vertices. */
  setSelection(selection: readonly string[], lifted: readonly string[] | null, showVertices: boolean): void {
    this.style.selection = new Set(selection);
    this.style.showVertices = showVertices;
    if (lifted) {
      this.sync.lift(lifted);
      this.style.lifted = new Set(lifted);
    }
    this.refresh();
  }

  /** The others' selections (territory id → a colour); false when nothing changed. */
  setPeerColors(peerColors: Map<string, string>): boolean {
    const now = this.style.peerColors;
    const changed = peerColors.size !== now.size || [...peerColors].some(([k, v]) => now.get(k) !== v);
    if (!changed) return false;
    this.style.peerColors = peerColors;
    this.refresh();
    return true;
  }

  /** Puts the selected (mine or others') and not lifted territories into the outlines' source. */
  refresh(): void {
    const { selection, peerColors, lifted } = this.style;
    const want = new Set<string>();
    for (const id of selection) if (!lifted.has(id)) want.add(id);
    for (const id of peerColors.keys()) if (!lifted.has(id)) want.add(id);
    const features: TerritoryFeature[] = [];
    for (const id of want) {
      const f = this.sync.getFeature(id);
      if (f) features.push(f);
    }
    const current = this.#outlined.getFeatures();
    const same = current.length === features.length && features.every((f) => this.#outlined.hasFeature(f));
    if (!same) {
      this.#outlined.clear(true);
      this.#outlined.addFeatures(features);
    }
    this.changed();
  }

  /** Styles changed (a fill mode, a colour): draw again. */
  changed(): void {
    this.outlines.changed();
    this.lifted.changed();
  }
}
