import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { type Account, AccountIndex } from "./accounts.ts";
import { Analyzer } from "./analyzer.ts";
import { type BalanceRow, computeBalance } from "./balance.ts";
import { mulberry32, snappedGrid, syntheticAccounts } from "./synthetic.ts";
import type { Balance } from "./types.ts";

/**
 * The balance counts coverage (issue 10): an edit that only takes accounts
 * out of territories never raises the score, and a plan with accounts
 * outside its territories is never complete. The proof is in README.md;
 * these check it on the golden cases and on random plans.
 */
const IN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/scoring/in");

function balanceOf(fixture: string): Balance {
  const plan = JSON.parse(fs.readFileSync(path.join(IN, `${fixture}.geojson`), "utf8")) as {
    features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }[];
  };
  const accounts: Account[] = [];
  const analyzer = () => new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
  const territories: { id: string; name: string; targets: Record<string, number>; geometry: TerritoryGeometry }[] = [];
  for (const f of plan.features) {
    const p = f.properties;
    if (f.geometry.type === "Point") {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      accounts.push({ id: String(p.id), name: String(p.id), lon, lat, attrs: { revenue: Number(p.revenue) } });
    } else {
      territories.push({ id: String(p.id), name: String(p.name), targets: {}, geometry: f.geometry as never });
    }
  }
  const a = analyzer();
  for (const t of territories) a.setTerritory(t);
  return a.analyze().balance;
}

describe("the balance score counts coverage", () => {
  it("does not rise when a border moves back and leaves accounts in a gap", () => {
    const before = balanceOf("coverage-border-gap-before");
    const after = balanceOf("coverage-border-gap-after");
    expect(after.score as number).toBeLessThan(before.score as number);
    expect(before.complete).toBe(true);
    expect(after.complete).toBe(false);
  });

  it("does not rise when a territory is deleted and its accounts are left in none", () => {
    const before = balanceOf("coverage-territory-deleted-before");
    const after = balanceOf("coverage-territory-deleted-after");
    expect(after.score as number).toBeLessThan(before.score as number);
    expect(after.metrics.accounts).toMatchObject({ whole: 10, uncovered: 6, mean: 5 });
  });

  it("has nothing to score with no territory, whatever the accounts", () => {
    expect(balanceOf("coverage-no-territories")).toMatchObject({
      score: null,
      empty: true,
      complete: false,
    });
  });

  it("never rises on 5,000 random take-outs, with and without targets (computeBalance)", () => {
    const r = mulberry32(42);
    for (let trial = 0; trial < 5000; trial++) {
      const T = 1 + Math.floor(r() * 12);
      const rows: BalanceRow[] = Array.from({ length: T }, (_, i) => ({
        id: `t${i}`,
        values: { x: Math.floor(r() * 100) },
        targets: (r() < 0.3 ? { x: 1 + Math.floor(r() * 150) } : {}) as Record<string, number>,
      }));
      const assigned = rows.reduce((s, row) => s + (row.values.x as number), 0);
      const uncovered = Math.floor(r() * 50);
      const whole = assigned + uncovered;
      const before = computeBalance(rows, ["x"], 0.15, { x: { whole, uncovered } }).balance.score as number;
      // Take ε out of one territory, into no territory.
      const i = Math.floor(r() * T);
      const row = rows[i] as BalanceRow;
      const eps = Math.ceil(r() * (row.values.x as number));
      if (eps === 0) continue;
      const after = rows.map((x, j) => (j === i ? { ...x, values: { x: (x.values.x as number) - eps } } : x));
      const score = computeBalance(after, ["x"], 0.15, { x: { whole, uncovered: uncovered + eps } }).balance
        .score as number;
      expect(score, `trial ${trial}`).toBeLessThanOrEqual(before + 1e-9);
    }
  });

  it("never rises as random territories of a snapped plan give up all their accounts (Analyzer)", () => {
    // A pure take-out at plan level: a territory keeps existing (T is fixed)
    // but moves to an empty corner, so its accounts are left in none.
    // (Deleting a territory is a take-out *and* one territory fewer to share
    // the plan: that second step may rightly raise the score; see README.)
    const grid = snappedGrid({ cols: 4, rows: 3, seed: 9, edgeVertices: [3, 6] });
    const accounts = syntheticAccounts({ count: 2000, seed: 10 });
    const r = mulberry32(11);
    const analyzer = new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
    for (const t of grid) analyzer.setTerritory(t);
    let last = analyzer.analyze().balance;
    expect(last.complete).toBe(true);
    const left = [...grid];
    for (let k = 0; left.length > 1; k++) {
      const [t] = left.splice(Math.floor(r() * left.length), 1);
      const corner = 120 + k * 0.01;
      analyzer.setTerritory({
        ...(t as (typeof grid)[number]),
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [corner, 10],
              [corner + 0.005, 10],
              [corner + 0.005, 10.005],
              [corner, 10],
            ],
          ],
        },
      });
      const next = analyzer.analyze().balance;
      expect(next.score as number).toBeLessThanOrEqual((last.score as number) + 1e-9);
      expect(next.complete).toBe(false);
      last = next;
    }
  });
});
