/** A [longitude, latitude] pair in WGS84 degrees. Altitude is not kept. */
export type Position = [number, number];
/** A closed linear ring: at least four positions, the last equal to the first. */
export type Ring = Position[];

export interface PolygonGeometry {
  type: "Polygon";
  coordinates: Ring[];
}

export interface MultiPolygonGeometry {
  type: "MultiPolygon";
  coordinates: Ring[][];
}

/** A territory's shape: GeoJSON Polygon or MultiPolygon, lon/lat WGS84. */
export type TerritoryGeometry = PolygonGeometry | MultiPolygonGeometry;

/** The polygons of a geometry, as a list, whatever its type. */
export function polygonsOf(g: TerritoryGeometry): Ring[][] {
  return g.type === "Polygon" ? [g.coordinates] : g.coordinates;
}

/** Number of positions in a geometry, closing positions included. */
export function countVertices(g: TerritoryGeometry): number {
  let n = 0;
  for (const poly of polygonsOf(g)) for (const ring of poly) n += ring.length;
  return n;
}

/** [minLon, minLat, maxLon, maxLat] of a geometry. */
export function bboxOf(g: TerritoryGeometry): [number, number, number, number] {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const poly of polygonsOf(g)) {
    for (const [x, y] of poly[0] ?? []) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}
