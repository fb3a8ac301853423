import { describe, expect, it } from "vitest";
import { featuresOf, normalizeColor, parseTerritoryFeatures, TerritoryFileError } from "./import.ts";
import { openRing, polygon, square } from "../../tests/fixtures/shapes.ts";

function counter() {
  let n = 0;
  return () => `gen-${++n}`;
}

describe("featuresOf", () => {
  it("takes a FeatureCollection's features or a lone Feature", () => {
    const f = { type: "Feature", properties: {}, geometry: square(0, 0) };
    expect(featuresOf({ type: "FeatureCollection", features: [f, f] })).toHaveLength(2);
    expect(featuresOf(f)).toEqual([f]);
  });

  it("refuses what is not a territory file, saying what to send", () => {
    expect(() => featuresOf([])).toThrow(TerritoryFileError);
    expect(() => featuresOf({ type: "Polygon" })).toThrow(/FeatureCollection.*not a "Polygon"/);
    expect(() => featuresOf({ type: "FeatureCollection", features: [] })).toThrow(/no features/);
  });

  it("refuses projected coordinates and accepts WGS84 declared the old way", () => {
    const crs = (name: string) => ({ type: "FeatureCollection", crs: { properties: { name } }, features: [{}] });
    expect(() => featuresOf(crs("urn:ogc:def:crs:EPSG::3857"))).toThrow(/EPSG::3857.*WGS84/);
    expect(featuresOf(crs("urn:ogc:def:crs:OGC:1.3:CRS84"))).toHaveLength(1);
    expect(featuresOf(crs("EPSG:4326"))).toHaveLength(1);
  });
});

describe("parseTerritoryFeatures", () => {
  it("reads names and colours under their common keys", () => {
    const features = [
      { type: "Feature", properties: { name: "A", color: "#1B9E77" }, geometry: square(0, 0) },
      { type: "Feature", properties: { nama: "B", fill: "0a0" }, geometry: square(1, 0) },
      { type: "Feature", properties: { NAME: "C", colour: "#abc" }, geometry: square(2, 0) },
      { type: "Feature", properties: { Wilayah: "D", warna: "#123456" }, geometry: square(3, 0) },
      { type: "Feature", properties: { territory: 42 }, geometry: square(4, 0) },
      { type: "Feature", properties: null, geometry: square(5, 0) },
    ];
    const r = parseTerritoryFeatures(features, { makeId: counter() });
    expect(r.problems).toEqual([]);
    expect(r.territories.map((t) => [t.name, t.color])).toEqual([
      ["A", "#1b9e77"],
      ["B", "#00aa00"],
      ["C", "#aabbcc"],
      ["D", "#123456"],
      ["42", "#66a61e"],
      ["Territory 6", "#e6ab02"],
    ]);
    expect(r.bbox).toEqual([0, 0, 5.1, 0.1]);
    expect(r.vertices).toBe(30);
  });

  it("reads reps, targets and parent, and ignores properties it does not know", () => {
    const r = parseTerritoryFeatures(
      [
        {
          type: "Feature",
          id: "bogor",
          properties: {
            name: "Bogor",
            reps: [{ name: "Budi", email: "budi@example.com" }, "Sari"],
            targets: { revenue: 1000 },
            target_visits: 40,
            parent: "west",
            metrics: { accounts: 3 },
            achievement: { revenue: 0.5 },
            KODE_BPS: "3201",
          },
          geometry: square(0, 0),
        },
        { type: "Feature", properties: { name: "Depok", rep: "Andi; Rina" }, geometry: square(1, 0) },
      ],
      { makeId: counter() },
    );
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.territories[0]).toMatchObject({
      id: "bogor",
      reps: [{ name: "Budi", email: "budi@example.com" }, { name: "Sari" }],
      targets: { revenue: 1000, visits: 40 },
      parent: "west",
    });
    expect(r.territories[1]).toMatchObject({ id: "gen-1", reps: [{ name: "Andi" }, { name: "Rina" }] });
  });

  it("reports every bad feature with its index and reason, and keeps the good ones", () => {
    const r = parseTerritoryFeatures(
      [
        { type: "Feature", properties: { name: "ok" }, geometry: square(0, 0) },
        { type: "Feature", properties: { name: "point" }, geometry: { type: "Point", coordinates: [0, 0] } },
        "not a feature",
        {
          type: "Feature",
          properties: { name: "open" },
          geometry: polygon(openRing([0, 0], [1, 0], [1, 1], [0, 2])),
        },
        { type: "Feature", properties: { name: "bad target", targets: { revenue: -1 } }, geometry: square(0, 0) },
        { type: "Feature", properties: { name: "far", geometry: 1 }, geometry: square(200, 0) },
      ],
      { makeId: counter() },
    );
    expect(r.total).toBe(6);
    expect(r.territories.map((t) => t.name)).toEqual(["ok"]);
    expect(r.indices).toEqual([0]);
    expect(r.problemCount).toBe(5);
    expect(r.problems.map((p) => p.index)).toEqual([1, 2, 3, 4, 5]);
    expect(r.problems[0]).toEqual({
      index: 1,
      name: "point",
      reason: 'geometry must be a Polygon or MultiPolygon, not "Point"',
    });
    expect(r.problems[1]?.reason).toBe("not a GeoJSON Feature");
    expect(r.problems[2]?.reason).toMatch(/not closed/);
    expect(r.problems[3]?.reason).toMatch(/target for revenue/);
    expect(r.problems[4]?.reason).toMatch(/longitude 200/);
  });

  it("gives taken and repeated ids fresh ones, with a warning", () => {
    const f = (id: string) => ({ type: "Feature", properties: { id }, geometry: square(0, 0) });
    const r = parseTerritoryFeatures([f("a"), f("b"), f("b"), f("ID.1.2_1")], {
      takenIds: new Set(["a"]),
      existingCount: 1,
      makeId: counter(),
    });
    expect(r.territories.map((t) => t.id)).toEqual(["gen-1", "b", "gen-2", "gen-3"]);
    expect(r.warnings).toEqual([
      { index: 0, reason: 'id "a" is already in the plan; it was given the id "gen-1"' },
      { index: 2, reason: 'id "b" is used by an earlier feature; it was given the id "gen-2"' },
    ]);
    // Default names continue after the plan's territories.
    expect(r.territories[0]?.name).toBe("Territory 2");
  });

  it("warns about colours and parents it cannot use, and imports the feature anyway", () => {
    const r = parseTerritoryFeatures(
      [{ type: "Feature", properties: { name: "x", color: "red", parent: "a b" }, geometry: square(0, 0) }],
      { makeId: counter() },
    );
    expect(r.territories).toHaveLength(1);
    expect(r.territories[0]?.parent).toBeNull();
    expect(r.warnings.map((w) => w.reason)).toEqual([
      'color "red" is not a hex colour like #1b9e77; a palette colour was used',
      'parent "a b" is not a territory id; it was left out',
    ]);
  });
});

describe("normalizeColor", () => {
  it("reads #rrggbb, #rgb and both without #", () => {
    expect(normalizeColor("#A1B2C3")).toBe("#a1b2c3");
    expect(normalizeColor("a1b2c3")).toBe("#a1b2c3");
    expect(normalizeColor("#fff")).toBe("#ffffff");
    expect(normalizeColor("red")).toBeNull();
    expect(normalizeColor(0xffffff)).toBeNull();
  });
});
