import { describe, expect, it } from "vitest";
import { ImportError, parseAccountsCsv, parseAccountsGeoJson } from "./import.ts";

describe("parseAccountsCsv", () => {
  it("recognises columns case-insensitively and keeps numeric ones as metrics", () => {
    const r = parseAccountsCsv(
      "ID,Name,Latitude,LNG,Revenue,potential,segment\na1,Toko Maju,-6.2,106.8,1200,3000,retail\n",
    );
    expect(r.columns).toEqual({
      id: "ID",
      name: "Name",
      lat: "Latitude",
      lon: "LNG",
      metrics: ["Revenue", "potential"],
      ignored: ["segment"],
    });
    expect(r.accounts).toEqual([
      { id: "a1", name: "Toko Maju", lat: -6.2, lon: 106.8, attrs: { Revenue: 1200, potential: 3000 } },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.total).toBe(1);
  });

  it("names each bad row by its line number, header being line 1", () => {
    const csv = ["id,lat,lon,revenue", "a,-6,106,1", "b,-6,abc,2", "", "c,95,106,3", "d,-6,106,x", "a,-6,106,5"].join(
      "\n",
    );
    const r = parseAccountsCsv(csv);
    expect(r.accounts.map((a) => a.id)).toEqual(["a"]);
    expect(r.problems).toEqual([
      { row: 3, reason: 'longitude "abc" is not a number' },
      { row: 5, reason: "latitude 95 is outside -90…90" },
      { row: 6, reason: 'revenue "x" is not a number' },
      { row: 7, reason: 'id "a" appears twice' },
    ]);
    expect(r.problemCount).toBe(4);
  });

  it("counts lines correctly across quoted line breaks and semicolon files", () => {
    const r = parseAccountsCsv('id;name;lat;lon\n1;"two\nlines";-6;106\n2;x;-6;oops\n');
    expect(r.accounts[0]?.name).toBe("two\nlines");
    expect(r.problems).toEqual([{ row: 4, reason: 'longitude "oops" is not a number' }]);
  });

  it("generates ids from line numbers when there is no id column, and treats empty metric cells as 0", () => {
    const r = parseAccountsCsv("lat,lon,revenue\n-6,106,\n-7,107,4\n");
    expect(r.accounts).toEqual([
      { id: "row-2", name: "row-2", lat: -6, lon: 106, attrs: { revenue: 0 } },
      { id: "row-3", name: "row-3", lat: -7, lon: 107, attrs: { revenue: 4 } },
    ]);
  });

  it("refuses a file without coordinate columns, naming the columns it has", () => {
    expect(() => parseAccountsCsv("id,city\n1,Bandung")).toThrow(ImportError);
    expect(() => parseAccountsCsv("id,city\n1,Bandung")).toThrow(/"id", "city"/);
  });

  it("renames a column that clashes with a built-in metric", () => {
    expect(parseAccountsCsv("lat,lon,accounts\n-6,106,3").columns.metrics).toEqual(["accounts_column"]);
  });
});

describe("parseAccountsGeoJson", () => {
  it("reads Point features and their numeric properties", () => {
    const r = parseAccountsGeoJson({
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          geometry: { type: "Point", coordinates: [106.8, -6.2] },
          properties: { id: "a1", name: "Maju", revenue: 10 },
        },
        { type: "Feature", geometry: { type: "LineString", coordinates: [] }, properties: {} },
        { type: "Feature", geometry: { type: "Point", coordinates: [300, 0] }, properties: { id: "a3" } },
      ],
    });
    expect(r.accounts).toEqual([{ id: "a1", name: "Maju", lon: 106.8, lat: -6.2, attrs: { revenue: 10 } }]);
    expect(r.problems).toEqual([
      { row: 2, reason: "not a Point feature" },
      { row: 3, reason: "longitude 300 is outside -180…180" },
    ]);
  });

  it("refuses what is not a FeatureCollection", () => {
    expect(() => parseAccountsGeoJson({ type: "Feature" })).toThrow(/FeatureCollection/);
  });
});
