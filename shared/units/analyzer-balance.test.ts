import { describe, expect, it } from "vitest";
import { type Account, AccountIndex } from "../scoring/accounts.ts";
import { analysisToJSON } from "../scoring/json.ts";
import { UnitAnalyzer } from "./analyzer.ts";
import type { UnitLayer } from "./layer.ts";
import { accountsIn as accountsInUnits, bandungHexagons as layer } from "../../tests/fixtures/bandung-hexagons.ts";

/** What auto-balance (issue 13) reads of a unit plan's analyzer: per-unit amounts, pins, the graph, a what-if. */

/** One account at the centre of each of the first `n` units, revenue 10 + its index. */
const accountsIn = (l: UnitLayer, n: number) => accountsInUnits(l, n, (i) => 10 + i);

function twoTerritories(l: UnitLayer, accounts: Account[], competitors: Account[] | null = null): UnitAnalyzer {
  const a = new UnitAnalyzer(l, new AccountIndex(accounts), competitors ? new AccountIndex(competitors) : null);
  a.setTerritory({ id: "west", name: "West", targets: {} });
  a.setTerritory({ id: "east", name: "East", targets: {} });
  a.assign(l.ids.map((_, u) => [u, u < 20 ? "west" : "east"] as const));
  return a;
}

describe("UnitAnalyzer for auto-balance", () => {
  it("names the metrics a proposal may balance, competitors only when the plan has some", () => {
    const l = layer();
    expect(twoTerritories(l, accountsIn(l, 5)).balanceableMetrics()).toEqual([
      "accounts",
      "areaKm2",
      "revenue",
      "population",
    ]);
    const withCompetitors = twoTerritories(l, accountsIn(l, 5), [
      { id: "c0", name: "C0", lon: 107.6, lat: -6.9, attrs: { outlets: 3 } },
    ]);
    expect(withCompetitors.balanceableMetrics()).toEqual([
      "accounts",
      "areaKm2",
      "competitors",
      "revenue",
      "population",
      "competitor_outlets",
    ]);
    expect(withCompetitors.unitAmounts("nonsense")).toBeNull();
  });

  it("gives each unit's amounts as the analysis counts them, and pinned accounts as their territory's fixed amount", () => {
    const l = layer();
    const a = twoTerritories(l, accountsIn(l, 5));
    // a1 sits in unit 1 (west) and is pinned to east.
    a.setPins(new Map([["a1", "east"]]));
    const revenue = a.unitAmounts("revenue");
    expect(Array.from(revenue?.perUnit.slice(0, 6) ?? [])).toEqual([10, 0, 12, 13, 14, 0]);
    expect([...(revenue?.pinned ?? [])]).toEqual([["east", 11]]);
    const accounts = a.unitAmounts("accounts");
    expect(Array.from(accounts?.perUnit.slice(0, 6) ?? [])).toEqual([1, 0, 1, 1, 1, 0]);
    expect([...(accounts?.pinned ?? [])]).toEqual([["east", 1]]);
    const population = a.unitAmounts("population");
    expect(population?.perUnit[7]).toBe(700);
    expect(population?.pinned.size).toBe(0);
    expect(a.unitAmounts("areaKm2")?.perUnit[3]).toBeCloseTo(l.areaKm2[3] as number, 9);
    // Units' amounts plus pins add up to what the analysis reports.
    const r = a.analyze();
    for (const t of r.territories) {
      let sum = revenue?.pinned.get(t.id) ?? 0;
      l.ids.forEach((_, u) => {
        if (a.territoryOfUnit(u) === t.id) sum += revenue?.perUnit[u] as number;
      });
      expect(sum).toBeCloseTo(t.sums.revenue as number, 9);
    }
  });

  it("answers a what-if with what the moves would give, and is left as it was", () => {
    const l = layer();
    const accounts = accountsIn(l, 30);
    const a = twoTerritories(l, accounts);
    const before = JSON.stringify(analysisToJSON(a.analyze()));
    const moves: [number, string | null][] = [
      [18, "east"],
      [19, "east"],
      [20, null],
    ];
    const what = a.whatIf(moves);
    const fresh = twoTerritories(l, accounts);
    fresh.assign(moves);
    const round = (x: unknown) =>
      JSON.parse(JSON.stringify(x, (_, v) => (typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v)));
    expect(round(analysisToJSON(what))).toEqual(round(analysisToJSON(fresh.analyze())));
    expect(round(JSON.parse(JSON.stringify(analysisToJSON(a.analyze()))))).toEqual(round(JSON.parse(before)));
    expect(a.territoryOfUnit(20)).toBe("east");
  });
});
