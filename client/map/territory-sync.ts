import VectorSource from "ol/source/Vector.js";
import type * as Y from "yjs";
import { readTerritory, readTerritoryProps, territoriesMap } from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { collectChanges } from "../sync/changes.ts";
import { geometryToOl, setFeatureProps, type TerritoryFeature, territoryToFeature } from "./convert.ts";

/**
 * Keeps an OpenLayers source in step with the plan document: all features
 * added in one bulk call when bound, then on every transaction only the
 * territories it touched are updated, and geometry is decoded only for those
 * whose geometry changed. Feature objects stay the same across updates (the
 * geometry is swapped), so interactions holding them keep working.
 */
export class TerritorySync {
  /** Every territory not being edited: the base (image) layer and the labels draw these. */
  readonly source = new VectorSource<TerritoryFeature>({ wrapX: false });
  /**
   * Territories lifted out of `source` while they are reshaped or moved, so
   * that their changes during a drag redraw a small vector layer instead of
   * the whole base image.
   */
  readonly lifted = new VectorSource<TerritoryFeature>({ wrapX: false });
  #liftedIds = new Set<string>();
  #unbind: (() => void) | null = null;
  #frozen = new Set<string>();
  #deferred = new Map<string, Territory | null>();
  #doc: Y.Doc | null = null;
  /** Called after a batch of changes was applied, with the ids it touched. */
  onChange: ((ids: Set<string>) => void) | null = null;
  /**
   * In a plan built from units the document holds no shapes: a territory's
   * outline is worked out from its units (null: it has none, and no feature).
   */
  outlineOf: ((id: string) => TerritoryGeometry | null) | null = null;

  bind(doc: Y.Doc): void {
    this.#unbind?.();
    this.#doc = doc;
    this.#frozen.clear();
    this.#deferred.clear();
    this.source.clear(true);
    this.lifted.clear(true);
    const map = territoriesMap(doc);
    const features: TerritoryFeature[] = [];
    const lifted: TerritoryFeature[] = [];
    for (const id of map.keys()) {
      const t = this.#read(doc, id);
      if (t) (this.#liftedIds.has(id) ? lifted : features).push(territoryToFeature(t));
    }
    this.source.addFeatures(features);
    this.lifted.addFeatures(lifted);
    const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      const { ids, geometry } = collectChanges(events, map as Y.Map<unknown>);
      this.#apply(doc, ids, geometry);
    };
    map.observeDeep(observer);
    this.#unbind = () => map.unobserveDeep(observer);
    this.onChange?.(new Set(map.keys()));
  }

  #apply(doc: Y.Doc, ids: Set<string>, geometry: Set<string>): void {
    const added: TerritoryFeature[] = [];
    const addedLifted: TerritoryFeature[] = [];
    for (const id of ids) {
      const feature = this.getFeature(id);
      if (geometry.has(id) || !feature) {
        const t = this.#read(doc, id);
        if (this.#frozen.has(id)) {
          this.#deferred.set(id, t);
          continue;
        }
        if (!t) {
          if (feature) this.#remove(feature);
        } else if (!feature) {
          (this.#liftedIds.has(id) ? addedLifted : added).push(territoryToFeature(t));
        } else {
          feature.setGeometry(geometryToOl(t.geometry));
          setFeatureProps(feature, t);
        }
      } else {
        const props = readTerritoryProps(doc, id);
        if (props) setFeatureProps(feature, props);
        else this.#remove(feature);
      }
    }
    if (added.length > 0) this.source.addFeatures(added);
    if (addedLifted.length > 0) this.lifted.addFeatures(addedLifted);
    this.onChange?.(ids);
  }

  /** A territory as the map shows it: from the document, or with its outline from its units. */
  #read(doc: Y.Doc, id: string): Territory | null {
    const t = readTerritory(doc, id);
    if (t || !this.outlineOf) return t;
    const props = readTerritoryProps(doc, id);
    const geometry = props ? this.outlineOf(id) : null;
    return props && geometry ? { id, ...props, geometry } : null;
  }

  /** Units changed territory: these territories' outlines are drawn again. */
  refreshOutlines(ids: Set<string>): void {
    if (this.#doc && ids.size > 0) this.#apply(this.#doc, ids, ids);
  }

  /**
   * Holds back geometry updates of a territory while the user drags one of
   * its vertices (swapping the geometry under an active Modify breaks the
   * drag). The held update is applied on `thaw`, unless the user's own write
   * has superseded it by then.
   */
  freeze(id: string): void {
    this.#frozen.add(id);
  }

  thaw(id: string): void {
    this.#frozen.delete(id);
    if (!this.#deferred.has(id) || !this.#doc) return;
    this.#deferred.delete(id);
    // Re-read: the doc now holds whatever won, ours or theirs.
    this.#apply(this.#doc, new Set([id]), new Set([id]));
  }

  getFeature(id: string): TerritoryFeature | null {
    return (this.source.getFeatureById(id) ?? this.lifted.getFeatureById(id) ?? null) as TerritoryFeature | null;
  }

  #remove(feature: TerritoryFeature): void {
    if (this.source.hasFeature(feature)) this.source.removeFeature(feature);
    if (this.lifted.hasFeature(feature)) this.lifted.removeFeature(feature);
  }

  /** Moves exactly these territories to the `lifted` source, and every other lifted one back. */
  lift(ids: Iterable<string>): void {
    const next = new Set(ids);
    const down = this.lifted.getFeatures().filter((f) => !next.has(f.getId() as string));
    const up: TerritoryFeature[] = [];
    for (const id of next) {
      const f = this.source.getFeatureById(id) as TerritoryFeature | null;
      if (f) up.push(f);
    }
    this.#liftedIds = next;
    if (down.length === 0 && up.length === 0) return;
    for (const f of down) this.lifted.removeFeature(f);
    for (const f of up) this.source.removeFeature(f);
    if (down.length) this.source.addFeatures(down);
    if (up.length) this.lifted.addFeatures(up);
  }

  isLifted(id: string): boolean {
    return this.#liftedIds.has(id);
  }

  /** Extent of every territory, lifted or not. */
  extent(): number[] | null {
    const a = this.source.getFeatures().length ? this.source.getExtent() : null;
    const b = this.lifted.getFeatures().length ? this.lifted.getExtent() : null;
    if (!a) return b ? [...b] : null;
    if (!b) return [...a];
    return [
      Math.min(a[0] as number, b[0] as number),
      Math.min(a[1] as number, b[1] as number),
      Math.max(a[2] as number, b[2] as number),
      Math.max(a[3] as number, b[3] as number),
    ];
  }

  /** Puts a feature's geometry back to what the document holds (after a refused edit). */
  revert(id: string): void {
    if (!this.#doc) return;
    const feature = this.getFeature(id);
    const t = readTerritory(this.#doc, id);
    if (feature && t) feature.setGeometry(geometryToOl(t.geometry));
  }

  destroy(): void {
    this.#unbind?.();
    this.source.clear(true);
    this.lifted.clear(true);
  }
}
