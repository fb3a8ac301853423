import VectorSource from "ol/source/Vector.js";
import type * as Y from "yjs";
import { readTerritory, readTerritoryProps, territoriesMap } from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
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
  readonly source = new VectorSource<TerritoryFeature>({ wrapX: false });
  #unbind: (() => void) | null = null;
  #frozen = new Set<string>();
  #deferred = new Map<string, Territory | null>();
  #doc: Y.Doc | null = null;
  /** Called after a batch of changes was applied, with the ids it touched. */
  onChange: ((ids: Set<string>) => void) | null = null;

  bind(doc: Y.Doc): void {
    this.#unbind?.();
    this.#doc = doc;
    this.#frozen.clear();
    this.#deferred.clear();
    this.source.clear(true);
    const map = territoriesMap(doc);
    const features: TerritoryFeature[] = [];
    for (const id of map.keys()) {
      const t = readTerritory(doc, id);
      if (t) features.push(territoryToFeature(t));
    }
    this.source.addFeatures(features);
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
    for (const id of ids) {
      const feature = this.source.getFeatureById(id) as TerritoryFeature | null;
      if (geometry.has(id) || !feature) {
        const t = readTerritory(doc, id);
        if (this.#frozen.has(id)) {
          this.#deferred.set(id, t);
          continue;
        }
        if (!t) {
          if (feature) this.source.removeFeature(feature);
        } else if (!feature) {
          added.push(territoryToFeature(t));
        } else {
          feature.setGeometry(geometryToOl(t.geometry));
          setFeatureProps(feature, t);
        }
      } else {
        const props = readTerritoryProps(doc, id);
        if (props) setFeatureProps(feature, props);
        else this.source.removeFeature(feature);
      }
    }
    if (added.length > 0) this.source.addFeatures(added);
    this.onChange?.(ids);
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
    return (this.source.getFeatureById(id) as TerritoryFeature | null) ?? null;
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
  }
}
