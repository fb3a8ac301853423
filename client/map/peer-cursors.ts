import Feature from "ol/Feature.js";
import Point from "ol/geom/Point.js";
import type VectorLayer from "ol/layer/Vector.js";
import { fromLonLat } from "ol/proj.js";
import VectorSource from "ol/source/Vector.js";
import type { Peer } from "../sync/presence.svelte.ts";
import { createCursorLayer } from "./layers.ts";

/**
 * The others' live cursors (a dot and their name in their colour), one
 * feature per client kept across updates so a moving cursor only moves.
 */
export class PeerCursors {
  readonly source = new VectorSource<Feature<Point>>();
  readonly layer: VectorLayer<VectorSource<Feature<Point>>> = createCursorLayer(this.source);

  /** Moves, adds and removes cursors; answers territory id → the colour of someone who has it selected. */
  set(peers: readonly Peer[]): Map<string, string> {
    const seen = new Set<string>();
    const added: Feature<Point>[] = [];
    const peerColors = new Map<string, string>();
    for (const peer of peers) {
      for (const id of peer.selection) if (!peerColors.has(id)) peerColors.set(id, peer.user.color);
      if (!peer.cursor) continue;
      const key = String(peer.clientId);
      seen.add(key);
      const coordinate = fromLonLat(peer.cursor);
      const existing = this.source.getFeatureById(key) as Feature<Point> | null;
      if (existing) {
        existing.getGeometry()?.setCoordinates(coordinate);
        if (existing.get("name") !== peer.user.name || existing.get("color") !== peer.user.color) {
          existing.setProperties({ name: peer.user.name, color: peer.user.color });
        }
      } else {
        const f = new Feature({ geometry: new Point(coordinate), name: peer.user.name, color: peer.user.color });
        f.setId(key);
        added.push(f);
      }
    }
    for (const f of this.source.getFeatures()) if (!seen.has(String(f.getId()))) this.source.removeFeature(f);
    if (added.length) this.source.addFeatures(added);
    return peerColors;
  }
}
