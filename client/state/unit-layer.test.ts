import { cellToLatLng, getHexagonAreaAvg, getHexagonEdgeLengthAvg, latLngToCell } from "h3-js";
import { describe, expect, it } from "vitest";
import { accountsWithoutTerritory } from "./hexagon-estimate.ts";
import {
  HEX_RESOLUTIONS,
  HEX_SIZES,
  isHexResolution,
  isNotAreasFile,
  readAreasPreview,
  readLayerSummary,
  readUnitsResult,
  territoriesWithoutUnits,
} from "./unit-layer.ts";
import { box } from "../../tests/fixtures/shapes.ts";

describe("hexagon sizes", () => {
  it("rounds h3's average hexagon at each resolution to within 10 %", () => {
    for (const r of HEX_RESOLUTIONS) {
      const area = getHexagonAreaAvg(r, "km2");
      const across = Math.sqrt(3) * getHexagonEdgeLengthAvg(r, "km");
      expect(Math.abs(HEX_SIZES[r].areaKm2 / area - 1), `area at ${r}`).toBeLessThan(0.1);
      expect(Math.abs(HEX_SIZES[r].acrossKm / across - 1), `across at ${r}`).toBeLessThan(0.1);
    }
  });

  it("knows the resolutions a plan may use", () => {
    expect(isHexResolution(6)).toBe(true);
    expect(isHexResolution(9)).toBe(false);
    expect(isHexResolution("6")).toBe(false);
  });
});

describe("the server's answers", () => {
  it("numbers an admin file's problem features from 1, as the territories import does", () => {
    const p = readAreasPreview({
      dryRun: true,
      kind: "admin",
      count: 3,
      total: 4,
      problems: [{ index: 2, name: "Rusak", reason: "geometry is missing" }, { index: 5, reason: "x" }, null],
      problemCount: 7,
      attributes: ["population", 3],
      idKey: "kode",
      nameKey: "nama",
    });
    expect(p).toEqual({
      total: 4,
      count: 3,
      problems: [
        { row: 3, name: "Rusak", reason: "geometry is missing" },
        { row: 6, name: null, reason: "x" },
      ],
      problemCount: 7,
      attributes: ["population"],
      idKey: "kode",
      nameKey: "nama",
    });
  });

  it("is not fooled by answers that are not previews", () => {
    expect(readAreasPreview(null)).toBeNull();
    expect(readAreasPreview({ error: "No." })).toBeNull();
    expect(readAreasPreview({ count: 2 })).toMatchObject({ total: 2, count: 2, problems: [], problemCount: 0 });
  });

  it("reads a creation's answer", () => {
    expect(readUnitsResult({ kind: "h3", count: 178, assigned: 170, unassigned: 8 })).toEqual({
      kind: "h3",
      count: 178,
      assigned: 170,
      unassigned: 8,
    });
    expect(readUnitsResult({ kind: "admin", count: 4 })).toEqual({
      kind: "admin",
      count: 4,
      assigned: 0,
      unassigned: 4,
    });
    expect(readUnitsResult({ error: "x" })).toBeNull();
  });

  it("reads the current layer from its compact form, and nothing from a drawn plan's null", () => {
    expect(readLayerSummary({ format: "compact", kind: "h3", resolution: 6, count: 3832, ids: [] })).toEqual({
      kind: "h3",
      resolution: 6,
      count: 3832,
    });
    expect(readLayerSummary({ kind: "admin", resolution: null, ids: ["a", "b"] })).toEqual({
      kind: "admin",
      resolution: null,
      count: 2,
    });
    expect(readLayerSummary(null)).toBeNull();
  });

  it("says a file that is not a FeatureCollection in its own words, and keeps the server's other sentences", () => {
    expect(isNotAreasFile(400, 'Send JSON: {"kind": "h3", …} or a GeoJSON FeatureCollection of areas.')).toBe(true);
    expect(
      isNotAreasFile(400, 'Send {"kind": "h3", …} for hexagons, or a GeoJSON FeatureCollection of admin areas.'),
    ).toBe(true);
    expect(isNotAreasFile(400, "The file declares a projected coordinate system (EPSG:32748).")).toBe(false);
    expect(isNotAreasFile(413, "Send less.")).toBe(false);
    expect(isNotAreasFile(400, null)).toBe(false);
  });
});

describe("removing the layer", () => {
  it("counts the territories that hold no unit (they have no shape to keep)", () => {
    expect(territoriesWithoutUnits(["a", "b", "c"], ["a", "a", "c"])).toBe(1);
    expect(territoriesWithoutUnits([], ["a"])).toBe(0);
  });
});

describe("accounts a hexagon layer leaves without a territory", () => {
  const bogor = { id: "bogor", geometry: box(106.6, -6.7, 106.9, -6.45) };

  it("counts the accounts inside no territory now", () => {
    const lon = [106.7, 106.8, 107.5, Number.NaN];
    const lat = [-6.6, -6.5, -6.6, -6.6];
    expect(accountsWithoutTerritory(lon, lat, [bogor], null)).toBe(2);
  });

  it("leaves an account without a territory when its hexagon's centre lies outside every territory", () => {
    // Right on the east edge: at resolution 5 (15 km across) its hexagon's centre may fall on either side.
    const lon = [106.75, 106.8999];
    const lat = [-6.58, -6.58];
    const coarse = accountsWithoutTerritory(lon, lat, [bogor], 5);
    const fine = accountsWithoutTerritory(lon, lat, [bogor], 8);
    expect(fine).toBe(0);
    expect(coarse).toBeGreaterThanOrEqual(fine);
    // The same rule the server's conversion applies, hexagon by hexagon.
    const outside = { id: "far", geometry: box(110, -8, 111, -7) };
    expect(accountsWithoutTerritory(lon, lat, [outside], 7)).toBe(2);
  });

  it("gives an account outside the territories a territory when its hexagon's centre is inside one", () => {
    // Just outside the west edge, in a hexagon whose centre is well inside at resolution 5.
    const lon: number[] = [];
    const lat: number[] = [];
    for (let x = 106.58; x < 106.6; x += 0.002) {
      lon.push(x);
      lat.push(-6.58);
    }
    expect(accountsWithoutTerritory(lon, lat, [bogor], null)).toBe(lon.length);
    // Worked out by hand: the hexagon's centre inside the box or not.
    const centreOutside = lon.filter((x, i) => {
      const [cy, cx] = cellToLatLng(latLngToCell(lat[i] as number, x, 5));
      return !(cx > 106.6 && cx < 106.9 && cy > -6.7 && cy < -6.45);
    }).length;
    expect(centreOutside).toBeLessThan(lon.length);
    expect(accountsWithoutTerritory(lon, lat, [bogor], 5)).toBe(centreOutside);
  });
});
