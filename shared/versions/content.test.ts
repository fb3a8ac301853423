import { describe, expect, it } from "vitest";
import { box } from "../../tests/fixtures/shapes.ts";
import { readTerritory } from "../doc/schema.ts";
import { decodeGeometry } from "../geometry/codec.ts";
import { contentOf, geometryBytes, packUnits, parseContent, unpackUnits } from "./content.ts";
import { planDoc } from "./testing.ts";

const refs = { accounts: 3, competitors: 1, units: 0 };

describe("contentOf", () => {
  it("keeps every attribute and the geometry's stored bytes, sorted by id, with the data versions it names", () => {
    const doc = planDoc({
      name: "Java 2027",
      allowedDeviation: 0.1,
      territories: [
        {
          id: "west",
          name: "West",
          geometry: box(106, -7, 107, -6),
          targets: { revenue: 5 },
          reps: [{ name: "Sari" }],
        },
        { id: "east", name: "East", geometry: box(107, -7, 108, -6), parent: "java" },
      ],
      pins: { a9: "east" },
    });
    const c = contentOf(doc, refs);
    expect(c).toMatchObject({
      name: "Java 2027",
      allowedDeviation: 0.1,
      accountsVersion: 3,
      competitorsVersion: 1,
      unitsVersion: 0,
      units: null,
      pins: { a9: "east" },
    });
    expect(c.territories.map((t) => t.id)).toEqual(["east", "west"]);
    expect(c.territories[1]).toMatchObject({ name: "West", targets: { revenue: 5 }, reps: [{ name: "Sari" }] });
    expect(decodeGeometry(geometryBytes(c.territories[1]!) as Uint8Array)).toEqual(
      readTerritory(doc, "west")?.geometry,
    );
  });

  it("leaves the default allowed deviation as null and keeps no geometry in a unit plan", () => {
    const c = contentOf(planDoc({ territories: [{ id: "a", name: "A" }], unitsVersion: 4, units: { a: [0, 2] } }), {
      ...refs,
      units: 4,
    });
    expect(c.allowedDeviation).toBeNull();
    expect(c.unitsVersion).toBe(4);
    expect(c.territories[0]?.geometry).toBeUndefined();
    expect(unpackUnits(c)).toEqual(["a", null, "a"]);
  });
});

describe("packUnits", () => {
  it.each([
    [3, 1],
    [300, 2],
    [70_000, 4],
  ])("packs the slots of %i territories %i byte(s) a unit and unpacks them again", (n, width) => {
    const territories = Array.from({ length: n }, (_, i) => ({ id: `t${i}` }));
    const assignment = new Map([
      ["0", `t${n - 1}`],
      ["5", "t0"],
      ["zz", `t${Math.floor(n / 2)}`],
    ]);
    const packed = packUnits(assignment, territories);
    expect(packed.width).toBe(width);
    expect(packed.count).toBe(36 * 36);
    const owners = unpackUnits({
      units: packed,
      territories: territories.map((t) => ({
        ...t,
        name: t.id,
        color: "#000000",
        reps: [],
        targets: {},
        parent: null,
      })),
    });
    expect(owners[0]).toBe(`t${n - 1}`);
    expect(owners[5]).toBe("t0");
    expect(owners[36 * 36 - 1]).toBe(`t${Math.floor(n / 2)}`);
    expect(owners.filter((o) => o !== null)).toHaveLength(3);
  });

  it("leaves out keys that are not unit keys and territories the plan does not have", () => {
    const packed = packUnits(
      new Map([
        ["007", "a"],
        ["1", "gone"],
        ["2", "a"],
      ]),
      [{ id: "a" }],
    );
    expect(packed.count).toBe(3);
  });
});

describe("parseContent", () => {
  it("refuses what is not a version of this format", () => {
    expect(() => parseContent({ format: 2 })).toThrow(/format 2/);
    expect(() => parseContent({ format: 1, territories: "x" })).toThrow(/territories/);
    const c = contentOf(planDoc({ territories: [] }), refs);
    expect(parseContent(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });
});
