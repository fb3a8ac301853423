import { describe, expect, it } from "vitest";
import { type Account, AccountIndex } from "./accounts.ts";

const accounts: Account[] = [
  { id: "a1", name: "Toko Maju", lon: 106.8, lat: -6.2, attrs: { revenue: 1200, potential: 3000 } },
  { id: "a2", name: "Warung Sari", lon: 107.6, lat: -6.9, attrs: { revenue: 800, visits: 4 } },
  { id: "a3", name: "Apotek Sehat", lon: 110.4, lat: -7.0, attrs: {} },
];

describe("AccountIndex", () => {
  const index = new AccountIndex(accounts);

  it("numbers accounts in the given order and finds them by id", () => {
    expect(index.size).toBe(3);
    expect(index.indexOf("a2")).toBe(1);
    expect(index.indexOf("nope")).toBeUndefined();
  });

  it("lists every attribute as a metric, sorted, with missing values as NaN (missing, never 0)", () => {
    expect(index.metricNames()).toEqual(["potential", "revenue", "visits"]);
    expect([...(index.column("revenue") as Float64Array)]).toEqual([1200, 800, Number.NaN]);
    expect([...(index.column("visits") as Float64Array)]).toEqual([Number.NaN, 4, Number.NaN]);
  });

  it("answers box queries (edges included)", () => {
    expect(index.range(106, -7, 108, -6).sort()).toEqual([0, 1]);
    expect(index.range(110.4, -7, 110.4, -7)).toEqual([2]);
    expect(index.range(0, 0, 1, 1)).toEqual([]);
  });

  it("round-trips through columns (what a worker thread receives)", () => {
    const again = AccountIndex.fromColumns(structuredClone(index.toColumns()));
    expect(again.size).toBe(3);
    expect(again.metricNames()).toEqual(index.metricNames());
    expect(again.range(106, -7, 108, -6).sort()).toEqual([0, 1]);
  });

  it("works with no accounts", () => {
    const empty = new AccountIndex([]);
    expect(empty.size).toBe(0);
    expect(empty.range(-180, -90, 180, 90)).toEqual([]);
    expect(empty.metricNames()).toEqual([]);
  });

  it("refuses duplicate ids and reserved metric names", () => {
    expect(() => new AccountIndex([accounts[0] as Account, accounts[0] as Account])).toThrow(
      'account id "a1" appears twice',
    );
    expect(() => new AccountIndex([{ ...(accounts[0] as Account), attrs: { accounts: 3 } }])).toThrow(
      '"accounts" is a reserved metric name',
    );
  });
});
