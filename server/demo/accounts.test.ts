import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { validateGeometry } from "../../shared/geometry/validate.ts";
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { demoAccounts, type Place } from "./accounts.ts";

const places = JSON.parse(await fs.readFile(new URL("./java-cities.json", import.meta.url), "utf8")) as Place[];
const territories = JSON.parse(await fs.readFile(new URL("./java-territories.geojson", import.meta.url), "utf8")) as {
  features: { geometry: unknown }[];
};
const land = territories.features.map((f) => {
  const g = validateGeometry(f.geometry);
  if (!g.ok) throw new Error(g.error);
  return g.value as TerritoryGeometry;
});

describe("demo accounts", () => {
  const accounts = demoAccounts(places, land);

  it("are the same on every run, with unique ids", () => {
    expect(demoAccounts(places, land)).toEqual(accounts);
    expect(accounts).toHaveLength(6000);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(6000);
  });

  it("follow population: Jakarta's surroundings get many times Malang's", () => {
    const near = (lon: number, lat: number) =>
      accounts.filter((a) => Math.hypot(a.lon - lon, a.lat - lat) < 0.15).length;
    expect(near(106.845, -6.215)).toBeGreaterThan(5 * near(112.63, -7.98));
  });

  it("lie on Java and carry revenue, potential and visits", () => {
    for (const a of accounts) {
      expect(a.lon).toBeGreaterThan(105);
      expect(a.lon).toBeLessThan(115);
      expect(a.lat).toBeGreaterThan(-9);
      expect(a.lat).toBeLessThan(-5.5);
      expect(a.attrs.revenue).toBeGreaterThan(0);
      expect(a.attrs.potential).toBeGreaterThanOrEqual(a.attrs.revenue as number);
    }
  });
});
