import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { checkUpdate } from "../doc/check-update.ts";
import { commentsMap, pinsMap, planMap, suggestionsMap, territoriesMap } from "../doc/schema.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { accountsIn, bandungHexagons } from "../../tests/fixtures/bandung-hexagons.ts";
import { decodeGeometry, encodeGeometry } from "../geometry/codec.ts";
import { type Account, AccountIndex } from "../scoring/accounts.ts";
import { Analyzer } from "../scoring/analyzer.ts";
import { UnitAnalyzer } from "../units/analyzer.ts";
import { effectOf, effectTerritory, effectValue } from "./effect.ts";
import { outdatedBy, type PlanNow, statusNow } from "./outdated.ts";
import { fingerprint, parseSuggestionChange, type StoredSuggestion, territoriesTouched } from "./suggestion.ts";
import { shapeEffect, unitsEffect } from "./what-if.ts";

const account = (id: string, lon: number, lat: number, revenue: number): Account => ({
  id,
  name: id,
  lon,
  lat,
  attrs: { revenue },
});

/** West [106,107], east [107,108]; accounts on both sides of 107 and one in a gap north. */
function drawnPlan() {
  const accounts = [
    account("w1", 106.5, -6.5, 100),
    account("w2", 106.9, -6.5, 50),
    account("e1", 107.1, -6.5, 70),
    account("e2", 107.6, -6.5, 30),
    account("n1", 106.5, -5.5, 10),
  ];
  const analyzer = new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
  const west = { id: "west", name: "West", targets: {}, geometry: box(106, -7, 107, -6) };
  const east = { id: "east", name: "East", targets: {}, geometry: box(107, -7, 108, -6) };
  analyzer.setTerritory(west);
  analyzer.setTerritory(east);
  return { accounts, analyzer, west, east };
}

describe("effect of a suggested shape", () => {
  it("lists the territory and every territory it changes, before → after, with the score", () => {
    const { analyzer, west } = drawnPlan();
    // West reaches over 107.2 into East: it takes e1 and overlaps East.
    const proposed = decodeGeometry(encodeGeometry(box(106, -7, 107.2, -6)));
    const effect = shapeEffect(analyzer, null, west, proposed);
    expect(Object.keys(effect.after.territories)).toEqual(["east", "west"]);
    expect(effect.before.territories.west?.accounts).toBe(2);
    expect(effect.after.territories.west?.accounts).toBe(3);
    expect(effect.after.territories.west?.sums.revenue).toBe(220);
    expect(effect.after.territories.east?.sharedAccounts).toBe(1);
    expect(effect.after.overlaps).toEqual([{ territoryIds: ["east", "west"], areaKm2: expect.any(Number) }]);
    expect(effect.before.overlaps).toEqual([]);
    expect(effect.metrics).toEqual(["accounts", "revenue"]);
    expect(effectValue(effect.after.territories.west, "revenue")).toBe(220);
    expect(effectValue(effect.after.territories.nowhere, "revenue")).toBeNull();
  });

  it("equals the analysis after the shape is set, and leaves the analyzer as it was", () => {
    const { accounts, analyzer, west, east } = drawnPlan();
    const before = analyzer.analyze();
    const proposed = decodeGeometry(encodeGeometry(box(106, -7, 107, -5)));
    const effect = shapeEffect(analyzer, null, west, proposed);
    // The analyzer is back where it was…
    expect(analyzer.analyze()).toEqual(before);
    // …and a plan with the shape accepted scores exactly what the effect said.
    analyzer.setTerritory({ ...west, geometry: proposed });
    const accepted = analyzer.analyze();
    const fresh = new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
    fresh.setTerritory({ ...west, geometry: proposed });
    fresh.setTerritory(east);
    for (const a of [accepted, fresh.analyze()]) {
      expect(effect.after.score).toBe(a.balance.score);
      for (const t of a.territories) {
        if (t.id in effect.after.territories) expect(effect.after.territories[t.id]).toEqual(effectTerritory(t));
      }
    }
    expect(effect.before.score).toBe(before.balance.score);
  });

  it("counts competitors through the plan's second analyzer", () => {
    const { analyzer, west, east } = drawnPlan();
    const competitors = new Analyzer(new AccountIndex([account("c1", 107.1, -6.2, 0)]));
    competitors.setTerritory(west);
    competitors.setTerritory(east);
    const effect = shapeEffect(analyzer, competitors, west, box(106, -7, 107.2, -6));
    expect(effect.before.territories.west?.competitors).toBe(0);
    expect(effect.after.territories.west?.competitors).toBe(1);
  });
});

describe("effect of suggested unit moves", () => {
  it("moves units on the live UnitAnalyzer and leaves it as it was", () => {
    const l = bandungHexagons();
    const a = new UnitAnalyzer(l, new AccountIndex(accountsIn(l, 10)), null);
    a.setTerritory({ id: "west", name: "West", targets: {} });
    a.setTerritory({ id: "east", name: "East", targets: {} });
    a.assign(l.ids.map((_, u) => [u, u < 20 ? "west" : "east"] as const));
    const before = a.analyze();
    const effect = unitsEffect(
      a,
      [
        [20, "west"],
        [21, "west"],
      ],
      ["west"],
    );
    expect(effect.before.territories.west?.units).toBe(20);
    expect(effect.after.territories.west?.units).toBe(22);
    expect(effect.after.territories.east?.units).toBe((before.territories[0]?.units ?? 0) - 2);
    // Back as it was (the perimeter is summed incrementally, so it may differ in its last digits).
    const again = a.analyze();
    expect(again.balance).toEqual(before.balance);
    again.territories.forEach((t, i) => {
      const b = before.territories[i];
      expect({ ...t, perimeterKm: 0, compactness: 0 }).toEqual({ ...b, perimeterKm: 0, compactness: 0 });
      expect(t.compactness).toBeCloseTo(b?.compactness ?? 0, 12);
    });
  });
});

describe("effectOf", () => {
  it("shows a territory that does not exist on one side as null", () => {
    const { analyzer } = drawnPlan();
    const before = analyzer.analyze();
    analyzer.removeTerritory("east");
    const after = analyzer.analyze();
    const effect = effectOf(before, after, ["west"]);
    expect(effect.after.territories.east).toBeNull();
    expect(effect.before.territories.east?.accounts).toBe(2);
  });
});

describe("parseSuggestionChange", () => {
  const square = box(106, -7, 107, -6);
  it("takes a shape or units, never both or neither", () => {
    expect(parseSuggestionChange({ territory: "west", geometry: square, text: "x" }).ok).toBe(true);
    expect(parseSuggestionChange({ territory: "west", units: { a: "west", b: null }, text: "x" }).ok).toBe(true);
    expect(parseSuggestionChange({ territory: "west", text: "x" })).toMatchObject({ ok: false, error: /either/ });
    expect(parseSuggestionChange({ territory: "west", geometry: square, units: { a: "w" } })).toMatchObject({
      ok: false,
    });
  });
  it("refuses bad shapes, units, territories and fields with a sentence", () => {
    const bad = (body: unknown) => {
      const r = parseSuggestionChange(body);
      return r.ok ? null : r.error;
    };
    expect(bad({ territory: "west", geometry: { type: "Point", coordinates: [1, 2] } })).toMatch(/suggested shape/);
    expect(bad({ territory: "west", units: {} })).toMatch(/empty/);
    expect(bad({ territory: "west", units: { a: 3 } })).toMatch(/territory id or null/);
    expect(
      bad({ territory: "west", units: Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`u${i}`, "w"])) }),
    ).toMatch(/at most 5000/);
    expect(bad({ territory: "bad id!", geometry: square })).toMatch(/territory must be/);
    expect(bad({ territory: "west", geometry: square, colour: "red" })).toMatch(/unknown field "colour"/);
    expect(bad({ territory: "west", geometry: square, at: [500, 0] })).toMatch(/on the map/);
    expect(bad([1])).toMatch(/JSON object/);
  });
});

describe("outdated", () => {
  const shape: Pick<StoredSuggestion, "kind" | "territoryId" | "moves" | "base"> = {
    kind: "shape",
    territoryId: "west",
    moves: null,
    base: { geometry: fingerprint(encodeGeometry(box(106, -7, 107, -6))), layerVersion: null },
  };
  const plan = (over: Partial<PlanNow> = {}): PlanNow => ({
    hasTerritory: (id) => id === "west" || id === "east",
    shapeFingerprint: () => fingerprint(encodeGeometry(box(106, -7, 107, -6))),
    unitOwner: (u) => (u === "u1" ? "east" : u === "u2" ? null : undefined),
    layerVersion: null,
    ...over,
  });

  it("finds a drawn territory reshaped, deleted, or the plan turned into units", () => {
    expect(outdatedBy(shape, plan())).toBeNull();
    expect(outdatedBy(shape, plan({ shapeFingerprint: () => "0" }))).toEqual({ what: "reshaped" });
    expect(outdatedBy(shape, plan({ hasTerritory: () => false }))).toEqual({ what: "deleted" });
    expect(outdatedBy(shape, plan({ layerVersion: 1 }))).toEqual({ what: "layer" });
  });

  it("finds units painted elsewhere since, and names them", () => {
    const units: Pick<StoredSuggestion, "kind" | "territoryId" | "moves" | "base"> = {
      kind: "units",
      territoryId: "west",
      moves: [
        { unit: "u1", from: "east", to: "west" },
        { unit: "u2", from: "east", to: "west" },
      ],
      base: { geometry: null, layerVersion: 2 },
    };
    expect(outdatedBy(units, plan({ layerVersion: 2 }))).toEqual({ what: "units", units: ["u2"], count: 1 });
    expect(outdatedBy(units, plan({ layerVersion: 3 }))).toEqual({ what: "layer" });
    expect(
      outdatedBy({ ...units, moves: [{ unit: "u1", from: "east", to: "west" }] }, plan({ layerVersion: 2 })),
    ).toBeNull();
    expect(territoriesTouched(units as StoredSuggestion)).toEqual(["east", "west"]);
  });

  it("keeps decided and redrawn suggestions as they are", () => {
    expect(statusNow({ status: "accepted", outdated: null }, { what: "reshaped" })).toBe("accepted");
    expect(statusNow({ status: "outdated", outdated: { what: "reshaped", at: "", by: null } }, null)).toBe("open");
    expect(statusNow({ status: "outdated", outdated: { what: "redrawn", at: "", by: null } }, null)).toBe("outdated");
  });

  it("fingerprints tell shapes apart", () => {
    const a = fingerprint(encodeGeometry(box(106, -7, 107, -6)));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(encodeGeometry(box(106, -7, 107, -6.0000001)))).not.toBe(a);
  });
});

describe("the document's suggestions root", () => {
  it("takes no client's write or delete (only the server writes suggestions)", () => {
    const server = new Y.Doc();
    for (const root of [planMap, territoriesMap, pinsMap, commentsMap, suggestionsMap]) root(server);
    suggestionsMap(server).set("s-1", { id: "s-1" });
    const change = (fn: (doc: Y.Doc) => void) => {
      const client = new Y.Doc();
      Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
      const before = Y.encodeStateVector(client);
      fn(client);
      return checkUpdate(server, Y.encodeStateAsUpdate(client, before), {});
    };
    for (const fn of [
      (d: Y.Doc) => suggestionsMap(d).set("s-2", { id: "s-2", status: "accepted" }),
      (d: Y.Doc) => suggestionsMap(d).delete("s-1"),
      (d: Y.Doc) => suggestionsMap(d).set("s-1", { id: "s-1", status: "accepted" }),
    ]) {
      expect(change(fn)).toMatchObject({ ok: false, problem: expect.stringMatching(/written by the server/) });
    }
  });
});
