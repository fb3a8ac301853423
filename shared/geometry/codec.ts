import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Position, Ring, TerritoryGeometry } from "./types.ts";

/**
 * Compact binary form of a territory geometry, as stored in the Yjs document.
 *
 * Why binary: a geometry is written whole on every reshape (see
 * shared/README.md), and lib0's generic JSON encoding spends 9 bytes per
 * coordinate. Quantised to 1e-7° (about 1 cm) and delta-encoded as varints,
 * a vertex next to its neighbour costs 4–6 bytes, so a 100,000-vertex plan
 * syncs in well under a megabyte.
 *
 * Layout: version, type (1 Polygon, 2 MultiPolygon), polygon count, then per
 * polygon its ring count, per ring its position count, then the positions as
 * zig-zag varint deltas from the previous position (the first from 0,0).
 */
export const COORD_SCALE = 1e7;
const CODEC_VERSION = 1;

/** Rounds a coordinate to what the codec keeps, so that UIs can compare exactly. */
export function quantize(v: number): number {
  return Math.round(v * COORD_SCALE) / COORD_SCALE;
}

/** @example decodeGeometry(encodeGeometry(g)) // deep-equals g, quantised to 1e-7° */
export function encodeGeometry(g: TerritoryGeometry): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, CODEC_VERSION);
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  encoding.writeVarUint(enc, g.type === "Polygon" ? 1 : 2);
  encoding.writeVarUint(enc, polys.length);
  let px = 0;
  let py = 0;
  for (const poly of polys) {
    encoding.writeVarUint(enc, poly.length);
    for (const ring of poly) {
      encoding.writeVarUint(enc, ring.length);
      for (const [lon, lat] of ring) {
        const x = Math.round(lon * COORD_SCALE);
        const y = Math.round(lat * COORD_SCALE);
        encoding.writeVarInt(enc, x - px);
        encoding.writeVarInt(enc, y - py);
        px = x;
        py = y;
      }
    }
  }
  return encoding.toUint8Array(enc);
}

/** Inverse of {@link encodeGeometry}. Throws on bytes it did not write. */
export function decodeGeometry(bytes: Uint8Array): TerritoryGeometry {
  const dec = decoding.createDecoder(bytes);
  const version = decoding.readVarUint(dec);
  if (version !== CODEC_VERSION) throw new Error(`unknown geometry encoding ${version}`);
  const type = decoding.readVarUint(dec);
  if (type !== 1 && type !== 2) throw new Error(`unknown geometry type ${type}`);
  const polyCount = decoding.readVarUint(dec);
  if (polyCount > bytes.length) throw new Error("geometry is truncated");
  let px = 0;
  let py = 0;
  const polys: Ring[][] = [];
  for (let p = 0; p < polyCount; p++) {
    const ringCount = decoding.readVarUint(dec);
    if (ringCount > bytes.length) throw new Error("geometry is truncated");
    const rings: Ring[] = [];
    for (let r = 0; r < ringCount; r++) {
      const n = decoding.readVarUint(dec);
      if (n * 2 > bytes.length) throw new Error("geometry is truncated");
      const ring: Ring = new Array(n);
      for (let i = 0; i < n; i++) {
        px += decoding.readVarInt(dec);
        py += decoding.readVarInt(dec);
        ring[i] = [px / COORD_SCALE, py / COORD_SCALE] as Position;
      }
      rings.push(ring);
    }
    polys.push(rings);
  }
  if (decoding.hasContent(dec)) throw new Error("geometry has trailing bytes");
  return type === 1 ? { type: "Polygon", coordinates: polys[0] ?? [] } : { type: "MultiPolygon", coordinates: polys };
}

/**
 * The box [minX, minY, maxX, maxY] of an encoded geometry, read straight
 * from its bytes without building the coordinates: the scope check's box
 * index of a whole plan (issue 15) reads every territory once. Null for
 * bytes it cannot read or a geometry without positions.
 *
 * @example geometryBox(encodeGeometry(box(0, 0, 1, 2))) // [0, 0, 1, 2]
 */
export function geometryBox(bytes: Uint8Array): [number, number, number, number] | null {
  try {
    const dec = decoding.createDecoder(bytes);
    if (decoding.readVarUint(dec) !== CODEC_VERSION) return null;
    decoding.readVarUint(dec);
    const polyCount = decoding.readVarUint(dec);
    let px = 0;
    let py = 0;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < polyCount; p++) {
      const ringCount = decoding.readVarUint(dec);
      for (let r = 0; r < ringCount; r++) {
        const n = decoding.readVarUint(dec);
        if (n * 2 > bytes.length) return null;
        for (let i = 0; i < n; i++) {
          px += decoding.readVarInt(dec);
          py += decoding.readVarInt(dec);
          if (px < minX) minX = px;
          if (px > maxX) maxX = px;
          if (py < minY) minY = py;
          if (py > maxY) maxY = py;
        }
      }
    }
    if (!Number.isFinite(minX)) return null;
    return [minX / COORD_SCALE, minY / COORD_SCALE, maxX / COORD_SCALE, maxY / COORD_SCALE];
  } catch {
    return null;
  }
}
