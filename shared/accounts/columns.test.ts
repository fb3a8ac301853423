import { describe, expect, it } from "vitest";
import type { Account } from "../scoring/accounts.ts";
import { isAccountColumns, toAccountColumns } from "./columns.ts";

describe("account columns", () => {
  const accounts: Account[] = [
    { id: "a1", name: "Toko A", lon: 106.8, lat: -6.2, attrs: { revenue: 100 } },
    { id: "a2", name: "Toko B", lon: 107.6, lat: -6.9, attrs: { revenue: 250, visits: 4 } },
  ];

  it("holds the same content as the accounts, one array per field, missing values as null (not 0)", () => {
    expect(toAccountColumns(accounts, 3)).toEqual({
      format: "columns",
      version: 3,
      count: 2,
      ids: ["a1", "a2"],
      names: ["Toko A", "Toko B"],
      lon: [106.8, 107.6],
      lat: [-6.2, -6.9],
      attributes: ["revenue", "visits"],
      values: { revenue: [100, 250], visits: [null, 4] },
    });
  });

  it("recognises only well-formed answers", () => {
    expect(isAccountColumns(toAccountColumns(accounts, 1))).toBe(true);
    expect(isAccountColumns(toAccountColumns([], 0))).toBe(true);
    expect(isAccountColumns({ ...toAccountColumns(accounts, 1), lat: [1] })).toBe(false);
    expect(isAccountColumns({ ...toAccountColumns(accounts, 1), values: { revenue: [1] } })).toBe(false);
    expect(isAccountColumns({ type: "FeatureCollection", features: [] })).toBe(false);
  });
});
