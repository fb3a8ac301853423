import { describe, expect, it } from "vitest";
import { toAccountColumns } from "../../shared/accounts/columns.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import { accountsFromAnswer, accountsFromGeoJson } from "./accounts.ts";

/** Two accounts as the server's GeoJSON answer gives them. */
const twoAccounts = {
  type: "FeatureCollection",
  version: 4,
  features: [
    {
      type: "Feature",
      id: "a1",
      geometry: { type: "Point", coordinates: [106.8, -6.2] },
      properties: { id: "a1", name: "Toko Maju", revenue: 120, visits: 4 },
    },
    {
      type: "Feature",
      id: "a2",
      geometry: { type: "Point", coordinates: [107.6, -6.9] },
      properties: { id: "a2", name: "Warung Sejahtera", revenue: 80, potential: 300 },
    },
  ],
};

describe("accounts from GeoJSON", () => {
  it("keeps the server's order as columns, with every numeric attribute", () => {
    const a = accountsFromGeoJson(twoAccounts);
    expect(a.version).toBe(4);
    expect(a.count).toBe(2);
    expect(a.ids).toEqual(["a1", "a2"]);
    expect(a.names).toEqual(["Toko Maju", "Warung Sejahtera"]);
    expect([...a.lon]).toEqual([106.8, 107.6]);
    expect([...a.lat]).toEqual([-6.2, -6.9]);
    expect(a.attributes).toEqual(["potential", "revenue", "visits"]);
    expect([...(a.attrs.revenue ?? [])]).toEqual([120, 80]);
    // A missing value stays missing (NaN), never 0.
    expect([...(a.attrs.potential ?? [])]).toEqual([Number.NaN, 300]);
    expect(a.lon).toBeInstanceOf(Float64Array);
  });

  it("keeps a slot for a feature without a point, so indices still match the analysis", () => {
    const a = accountsFromGeoJson({
      features: [
        { properties: { id: "x" }, geometry: null },
        { properties: { id: "y" }, geometry: { type: "Point", coordinates: [1, 2] } },
      ],
    });
    expect(a.count).toBe(2);
    expect(Number.isNaN(a.lon[0])).toBe(true);
    expect(a.lon[1]).toBe(1);
  });

  it("reads an empty or unexpected body as no accounts", () => {
    expect(accountsFromGeoJson(null).count).toBe(0);
    expect(accountsFromGeoJson({ type: "FeatureCollection", version: 0, features: [] }).count).toBe(0);
  });
});

describe("accounts from the columns answer", () => {
  const geojson = twoAccounts;

  it("reads the same columns as the GeoJSON answer gives", () => {
    const accounts: Account[] = geojson.features.map((f) => {
      const { id, name, ...attrs } = f.properties;
      return {
        id,
        name,
        lon: f.geometry.coordinates[0] as number,
        lat: f.geometry.coordinates[1] as number,
        attrs: attrs as unknown as Record<string, number>,
      };
    });
    const fromColumns = accountsFromAnswer(toAccountColumns(accounts, 4));
    const fromGeoJson = accountsFromGeoJson(geojson);
    expect(fromColumns).toEqual(fromGeoJson);
    expect(fromColumns.lon).toBeInstanceOf(Float64Array);
  });

  it("falls back to GeoJSON for an answer that is not columns", () => {
    expect(accountsFromAnswer(geojson).ids).toEqual(["a1", "a2"]);
  });
});
