import { describe, expect, it } from "vitest";
import {
  LIMITS,
  PALETTE,
  paletteColor,
  validateNewTerritory,
  validateTerritoryId,
  validateTerritoryPatch,
} from "./territory.ts";
import { degreeSquare } from "../../tests/fixtures/shapes.ts";

const square = degreeSquare();

function errorOf(input: unknown): string {
  const r = validateTerritoryPatch(input);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`);
  return r.error;
}

function accepted(input: unknown): unknown {
  const r = validateTerritoryPatch(input);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("validateTerritoryPatch", () => {
  it("accepts an empty patch and returns only the fields given", () => {
    expect(accepted({})).toEqual({});
    expect(accepted({ name: "Jakarta Utara" })).toEqual({ name: "Jakarta Utara" });
  });

  it("refuses what is not a plain object", () => {
    for (const bad of [null, undefined, "name", 5, [], [{ name: "x" }]]) {
      expect(errorOf(bad)).toBe("territory properties must be an object");
    }
  });

  it("refuses unknown fields, naming them (cut to 40 characters)", () => {
    expect(errorOf({ name: "A", colour: "#000000" })).toBe('unknown territory field "colour"');
    expect(errorOf({ geometry: square })).toBe('unknown territory field "geometry"');
    expect(errorOf({ ["k".repeat(100)]: 1 })).toBe(`unknown territory field "${"k".repeat(40)}"`);
  });

  it("ignores an id in the body", () => {
    expect(accepted({ id: "whatever", name: "A" })).toEqual({ name: "A" });
  });

  describe("name", () => {
    it("is trimmed text of 1–120 characters", () => {
      expect(accepted({ name: "  Bandung  " })).toEqual({ name: "Bandung" });
      expect(accepted({ name: "n".repeat(LIMITS.name) })).toEqual({ name: "n".repeat(120) });
      expect(accepted({ name: ` ${"n".repeat(120)} ` })).toEqual({ name: "n".repeat(120) });
      expect(errorOf({ name: "n".repeat(121) })).toBe("name is longer than 120 characters");
      expect(errorOf({ name: "" })).toBe("name must not be empty");
      expect(errorOf({ name: " \t\n " })).toBe("name must not be empty");
      expect(errorOf({ name: 5 })).toBe("name must be text");
      expect(errorOf({ name: null })).toBe("name must be text");
    });
  });

  describe("color", () => {
    it("is #rrggbb, lower-cased", () => {
      expect(accepted({ color: "#1B9E77" })).toEqual({ color: "#1b9e77" });
      for (const bad of ["1b9e77", "#1b9e7", "#1b9e777", "#1b9e7g", "red", " #1b9e77", 0x1b9e77, null]) {
        expect(errorOf({ color: bad })).toBe("color must be a hex colour like #1b9e77");
      }
    });
  });

  describe("reps", () => {
    const names = (list: string[]) => list.map((name) => ({ name }));
    it("is a list of up to 20 reps with a trimmed name of 1–120 characters", () => {
      expect(accepted({ reps: [] })).toEqual({ reps: [] });
      expect(accepted({ reps: [{ name: " Budi " }, { name: "Sari" }] })).toEqual({ reps: names(["Budi", "Sari"]) });
      const twenty = Array.from({ length: 20 }, (_, i) => ({ name: `rep ${i}` }));
      expect(accepted({ reps: twenty })).toEqual({ reps: twenty });
      expect(errorOf({ reps: [...twenty, { name: "one more" }] })).toBe("a territory can have at most 20 reps");
      expect(errorOf({ reps: "Budi" })).toBe("reps must be a list of names");
      expect(errorOf({ reps: { 0: "Budi" } })).toBe("reps must be a list of names");
      for (const bad of ["", "   ", "r".repeat(121), 7, null, [], { name: "" }, { name: 5 }, { email: "a@b.id" }]) {
        expect(errorOf({ reps: [{ name: "Budi" }, bad] })).toBe("each rep must be a name of 1–120 characters");
      }
      expect(accepted({ reps: [{ name: "r".repeat(120) }] })).toEqual({ reps: names(["r".repeat(120)]) });
    });

    it("reads plain names, as documents written before rep emails hold them, as { name }", () => {
      expect(accepted({ reps: [" Budi ", "Sari"] })).toEqual({ reps: names(["Budi", "Sari"]) });
      expect(accepted({ reps: ["Budi", { name: "Sari", email: "sari@example.co.id" }] })).toEqual({
        reps: [{ name: "Budi" }, { name: "Sari", email: "sari@example.co.id" }],
      });
      expect(errorOf({ reps: ["r".repeat(121)] })).toBe("each rep must be a name of 1–120 characters");
    });

    it("takes an optional email of the shape name@domain.tld, trimmed; empty or null means none", () => {
      for (const email of ["budi@example.com", "budi.santoso+crm@pt-maju.co.id", "b@x.id"]) {
        expect(accepted({ reps: [{ name: "Budi", email }] })).toEqual({ reps: [{ name: "Budi", email }] });
      }
      expect(accepted({ reps: [{ name: "Budi", email: " budi@example.com " }] })).toEqual({
        reps: [{ name: "Budi", email: "budi@example.com" }],
      });
      for (const none of ["", "   ", null, undefined]) {
        expect(accepted({ reps: [{ name: "Budi", email: none }] })).toEqual({ reps: [{ name: "Budi" }] });
      }
      for (const bad of ["budi", "budi@", "@example.com", "budi@example", "bu di@example.com", "a@b.", "a@@b.id"]) {
        expect(errorOf({ reps: [{ name: "Budi", email: bad }] })).toBe(
          `rep email "${bad}" must look like name@example.com`,
        );
      }
      const long = `${"a".repeat(LIMITS.email - 8)}@x.co.id`;
      expect(long.length).toBe(LIMITS.email + 0);
      expect(accepted({ reps: [{ name: "Budi", email: long }] })).toEqual({ reps: [{ name: "Budi", email: long }] });
      expect(errorOf({ reps: [{ name: "Budi", email: `a${long}` }] })).toMatch(/^rep email ".*" must look like/);
      expect(errorOf({ reps: [{ name: "Budi", email: 5 }] })).toBe("the email of Budi must be text");
    });

    it("refuses unknown rep fields, so a typo in an API call is noticed", () => {
      expect(errorOf({ reps: [{ name: "Budi", mail: "b@x.id" }] })).toBe(
        'unknown rep field "mail" (a rep has a name and an email)',
      );
    });
  });

  describe("targets", () => {
    it("is an object of up to 50 metric → finite number ≥ 0", () => {
      expect(accepted({ targets: {} })).toEqual({ targets: {} });
      expect(accepted({ targets: { revenue: 1_200_000, visits: 0 } })).toEqual({
        targets: { revenue: 1_200_000, visits: 0 },
      });
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, i]));
      expect(accepted({ targets: fifty })).toEqual({ targets: fifty });
      expect(errorOf({ targets: { ...fifty, m50: 1 } })).toBe("at most 50 targets");
    });

    it("refuses non-objects, bad names and bad numbers, naming the metric", () => {
      for (const bad of [null, [], [1], "revenue", 5]) {
        expect(errorOf({ targets: bad })).toBe("targets must be an object of metric → number");
      }
      expect(errorOf({ targets: { "": 1 } })).toBe("target names must be 1–64 characters");
      expect(errorOf({ targets: { ["m".repeat(65)]: 1 } })).toBe("target names must be 1–64 characters");
      expect(accepted({ targets: { ["m".repeat(64)]: 1 } })).toEqual({ targets: { ["m".repeat(64)]: 1 } });
      for (const bad of [-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, "5", null, true]) {
        expect(errorOf({ targets: { revenue: bad } })).toBe("target for revenue must be a number ≥ 0");
      }
    });
  });

  describe("parent", () => {
    it("is a region id or null", () => {
      expect(accepted({ parent: null })).toEqual({ parent: null });
      expect(accepted({ parent: "region-1" })).toEqual({ parent: "region-1" });
      for (const bad of ["", "a b", "../x", "p".repeat(65), 5, {}]) {
        expect(errorOf({ parent: bad })).toBe("parent must be a region id or null");
      }
    });
  });

  it("reports the first bad field and nothing else", () => {
    expect(errorOf({ name: "ok", color: "nope", reps: "nope" })).toBe("color must be a hex colour like #1b9e77");
  });
});

describe("validateTerritoryId", () => {
  it("accepts ID_PATTERN ids and refuses the rest", () => {
    expect(validateTerritoryId("t-1_A")).toEqual({ ok: true, value: "t-1_A" });
    for (const bad of ["", "a/b", "x".repeat(65), 5, null]) {
      expect(validateTerritoryId(bad)).toEqual({
        ok: false,
        error: "territory id must be 1–64 letters, digits, '-' or '_'",
      });
    }
  });
});

describe("validateNewTerritory", () => {
  it("fills defaults from the index: name 'Territory n+1', palette colour, no reps, targets or parent", () => {
    expect(validateNewTerritory("t1", square, {}, 2)).toEqual({
      ok: true,
      value: {
        id: "t1",
        name: "Territory 3",
        color: PALETTE[2],
        reps: [],
        targets: {},
        parent: null,
        geometry: square,
      },
    });
  });

  it("takes absent props as no props, and index 0 by default", () => {
    const r = validateNewTerritory("t1", square, undefined);
    expect(r.ok && r.value.name).toBe("Territory 1");
    expect(r.ok && r.value.color).toBe("#1b9e77");
    expect(validateNewTerritory("t1", square, null).ok).toBe(true);
  });

  it("keeps the fields given, cleaned", () => {
    expect(
      validateNewTerritory(
        "t1",
        square,
        {
          name: " Bogor ",
          color: "#ABCDEF",
          reps: ["Budi", { name: "Sari", email: "s@x.id" }],
          targets: { revenue: 5 },
          parent: "west",
        },
        7,
      ),
    ).toEqual({
      ok: true,
      value: {
        id: "t1",
        name: "Bogor",
        color: "#abcdef",
        reps: [{ name: "Budi" }, { name: "Sari", email: "s@x.id" }],
        targets: { revenue: 5 },
        parent: "west",
        geometry: square,
      },
    });
  });

  it("drops altitudes from the geometry", () => {
    const withZ = { type: "Polygon", coordinates: [square.coordinates[0]?.map(([x, y]) => [x, y, 3])] };
    const r = validateNewTerritory("t1", withZ, {});
    expect(r.ok && r.value.geometry).toEqual(square);
  });

  it("refuses a bad id, a bad geometry or bad props, in that order", () => {
    expect(validateNewTerritory("a b", null, { name: 5 })).toEqual({
      ok: false,
      error: "territory id must be 1–64 letters, digits, '-' or '_'",
    });
    expect(validateNewTerritory("t1", { type: "Point" }, { name: 5 })).toEqual({
      ok: false,
      error: 'geometry must be a Polygon or MultiPolygon, not "Point"',
    });
    expect(validateNewTerritory("t1", square, { name: 5 })).toEqual({ ok: false, error: "name must be text" });
    expect(validateNewTerritory("t1", square, { shape: 1 })).toEqual({
      ok: false,
      error: 'unknown territory field "shape"',
    });
  });
});

describe("paletteColor", () => {
  it("cycles through the palette in both directions", () => {
    expect(PALETTE).toHaveLength(12);
    expect(paletteColor(0)).toBe("#1b9e77");
    expect(paletteColor(11)).toBe("#ff7f00");
    expect(paletteColor(12)).toBe("#1b9e77");
    expect(paletteColor(25)).toBe(PALETTE[1]);
    expect(paletteColor(-1)).toBe("#ff7f00");
    expect(paletteColor(-13)).toBe("#ff7f00");
  });
});
