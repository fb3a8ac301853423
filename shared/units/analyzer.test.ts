import { gridDisk } from "h3-js";
import { describe, expect, it } from "vitest";
import { perimeterM } from "../geometry/area.ts";
import { flatten } from "../geometry/flat.ts";
import { AccountIndex } from "../scoring/accounts.ts";
import { analysisToJSON } from "../scoring/json.ts";
import { mulberry32 } from "../scoring/synthetic.ts";
import { UnitAnalyzer } from "./analyzer.ts";
import { accountsIn, bandungHexagons as layer, CENTRE } from "../../tests/fixtures/bandung-hexagons.ts";

describe("UnitAnalyzer", () => {
  it("sums accounts, their columns and the units' attributes per territory, and counts units", () => {
    const l = layer();
    const a = new UnitAnalyzer(l, new AccountIndex(accountsIn(l, 10)), null);
    a.setTerritory({ id: "west", name: "West", targets: {} });
    a.setTerritory({ id: "east", name: "East", targets: {} });
    a.assign(l.ids.map((_, u) => [u, u < 20 ? "west" : "east"] as const));
    const r = a.analyze();
    const west = r.territories.find((t) => t.id === "west");
    expect(west).toMatchObject({ accounts: 10, units: 20, sums: { revenue: 100, population: 100 * ((19 * 20) / 2) } });
    expect(r.balance.complete).toBe(true);
    expect(r.balance.metricNames).toEqual(["accounts", "revenue", "population"]);
    expect(r.totals.unassigned).toBe(0);
  });

  it("measures a territory's perimeter as its outline's, and its area as its units'", () => {
    const l = layer();
    const a = new UnitAnalyzer(l, new AccountIndex([]), null);
    a.setTerritory({ id: "t", name: "T", targets: {} });
    const members = gridDisk(CENTRE, 1).map((id) => l.ids.indexOf(id));
    a.assign(members.map((u) => [u, "t"] as const));
    const t = a.analyze().territories[0];
    const outline = a.outline("t");
    expect(outline?.type).toBe("Polygon");
    expect(t?.perimeterKm).toBeCloseTo(perimeterM(flatten(outline as never)) / 1000, 1);
    expect(t?.compactness).toBeGreaterThan(0.65); // a 7-hexagon flower: 0.70
  });

  it("reports a territory in two groups that do not touch, and accounts in unpainted units", () => {
    const l = layer();
    const a = new UnitAnalyzer(l, new AccountIndex(accountsIn(l, 37)), null);
    a.setTerritory({ id: "t", name: "T", targets: {} });
    const far = gridDisk(CENTRE, 3).filter((id) => !gridDisk(CENTRE, 2).includes(id));
    a.assign([
      [l.ids.indexOf(CENTRE), "t"],
      [l.ids.indexOf(far[0] as string), "t"],
    ]);
    const r = a.analyze();
    expect(r.territories[0]?.parts).toBe(2);
    expect(r.issues.map((i) => i.kind)).toEqual(expect.arrayContaining(["disconnected", "unassigned-accounts"]));
    expect(r.totals.unassigned).toBe(35);
    expect(r.balance.complete).toBe(false);
  });

  it("counts a pinned account where it is pinned, whatever its unit", () => {
    const l = layer();
    const a = new UnitAnalyzer(l, new AccountIndex(accountsIn(l, 2)), null);
    a.setTerritory({ id: "x", name: "X", targets: {} });
    a.setTerritory({ id: "y", name: "Y", targets: {} });
    a.assign([
      [0, "x"],
      [1, "x"],
    ]);
    const area = a.analyze().territories[0]?.areaKm2 as number;
    a.setPins(new Map([["a1", "y"]]));
    const r = a.analyze();
    expect(r.territories.map((t) => [t.id, t.accounts])).toEqual([
      ["x", 1],
      ["y", 1],
    ]);
    // Pins move accounts, never area (it was counted twice after a pin change).
    expect(r.territories[0]?.areaKm2).toBeCloseTo(area, 9);
    expect(area).toBeCloseTo((l.areaKm2[0] as number) + (l.areaKm2[1] as number), 9);
    expect(r.accountTerritory[1]).toBe(1);
  });

  it("gives after any series of strokes exactly what a fresh analyzer gives", () => {
    const l = layer();
    const accounts = new AccountIndex(accountsIn(l, 30));
    const r = mulberry32(5);
    const live = new UnitAnalyzer(l, accounts, null);
    const ids = ["a", "b", "c"];
    for (const id of ids) live.setTerritory({ id, name: id, targets: {} });
    const assignment = new Map<number, string | null>();
    for (let step = 0; step < 200; step++) {
      const stroke: [number, string | null][] = [];
      for (let k = 0; k < 1 + Math.floor(r() * 5); k++) {
        const u = Math.floor(r() * l.ids.length);
        const to = r() < 0.2 ? null : (ids[Math.floor(r() * ids.length)] as string);
        stroke.push([u, to]);
        assignment.set(u, to);
      }
      live.assign(stroke);
      if (step % 40 === 39) {
        const fresh = new UnitAnalyzer(l, accounts, null);
        for (const id of ids) fresh.setTerritory({ id, name: id, targets: {} });
        fresh.assign(assignment);
        const round = (x: unknown) =>
          JSON.parse(JSON.stringify(x, (_, v) => (typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v)));
        expect(round(analysisToJSON(live.analyze()))).toEqual(round(analysisToJSON(fresh.analyze())));
      }
    }
  });
});
