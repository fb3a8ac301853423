import { describe, expect, it } from "vitest";
import {
  type BBox,
  detectMapping,
  ImportError,
  MAX_ACCOUNTS,
  parseAccounts,
  parseAccountsCsv,
  parseAccountsGeoJson,
  parseLocaleNumber,
} from "./import.ts";

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
    expect(r.problems).toMatchObject([]);
    expect(r.total).toBe(1);
  });

  it("names each bad row by its line number, header being line 1", () => {
    const csv = ["id,lat,lon,revenue", "a,-6,106,1", "b,-6,abc,2", "", "c,95,106,3", "d,-6,106,x", "a,-6,106,5"].join(
      "\n",
    );
    const r = parseAccountsCsv(csv);
    expect(r.accounts.map((a) => a.id)).toEqual(["a"]);
    expect(r.problems).toMatchObject([
      { row: 3, reason: 'longitude "abc" is not a number' },
      { row: 5, reason: "latitude 95 is outside -90…90" },
      { row: 6, reason: 'revenue "x" is not a number' },
      { row: 7, reason: 'id "a" appears twice: also on line 2' },
    ]);
    expect(r.problemCount).toBe(4);
  });

  it("counts lines correctly across quoted line breaks and semicolon files", () => {
    const r = parseAccountsCsv('id;name;lat;lon\n1;"two\nlines";-6;106\n2;x;-6;oops\n');
    expect(r.accounts[0]?.name).toBe("two\nlines");
    expect(r.problems).toMatchObject([{ row: 4, reason: 'longitude "oops" is not a number' }]);
  });

  it("makes ids from line numbers when there is no id column, and warns that the CRM export will carry them", () => {
    const r = parseAccountsCsv("lat,lon,revenue\n-6,106,\n-7,107,4\n");
    expect(r.accounts.map((a) => a.id)).toEqual(["row-2", "row-3"]);
    expect(r.warningCounts["no-id"]).toBe(2);
    expect(r.warnings[0]).toMatchObject({ row: 2, kind: "no-id", params: { id: "row-2" } });
    expect(r.warnings[0]?.reason).toMatch(/CRM export/);
  });

  it("keeps a blank metric cell as a missing value, not 0, and counts the blanks per column", () => {
    const r = parseAccountsCsv("id,lat,lon,revenue,visits\na,-6,106,,3\nb,-7,107,4,\nc,-7,107,  ,\n");
    expect(r.accounts.map((a) => a.attrs)).toEqual([{ visits: 3 }, { revenue: 4 }, {}]);
    expect(r.blanks).toEqual({ revenue: 2, visits: 2 });
  });

  it("gives every refused row a code and parameters a client can translate", () => {
    const r = parseAccountsCsv(
      "id,lat,lon,revenue\na,106.8,-6.2,1\nb,-6,106,lots\nc,-6,106,1\nd,-6,106,2\ne,-6,106,3\nf,-6,106,4\n",
    );
    expect(r.problems).toEqual([
      {
        row: 2,
        code: "lat-range",
        params: { value: 106.8, swapped: true },
        reason: "latitude 106.8 is outside -90…90 (latitude and longitude look swapped)",
      },
      {
        row: 3,
        code: "value-not-number",
        params: { column: "revenue", value: "lots" },
        reason: 'revenue "lots" is not a number',
      },
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
    expect(r.problems).toMatchObject([
      { row: 2, reason: "not a Point feature" },
      { row: 3, reason: "longitude 300 is outside -180…180" },
    ]);
  });

  it("refuses what is not a FeatureCollection", () => {
    expect(() => parseAccountsGeoJson({ type: "Feature" })).toThrow(/FeatureCollection/);
  });
});

/** Java and around: the area of a plan of West Java territories. */
const JAVA: BBox = [105, -8, 109, -5.9];

describe("real-world CSV files", () => {
  it("reads an Indonesian Excel export: semicolons, decimal commas, dotted thousands, Indonesian headers", () => {
    const csv = [
      "Kode;Nama Outlet;Lintang;Bujur;Omzet;Potensi;Kunjungan;Kota",
      "OUT-001;Toko Maju;-6,2001;106,8167;1.250.000,50;2.000.000;4;Jakarta",
      "OUT-002;Warung Sari;-6,9147;107,6098;875.000;1.500.000,75;2;Bandung",
    ].join("\n");
    const r = parseAccountsCsv(csv);
    expect(r.delimiter).toBe(";");
    expect(r.problems).toMatchObject([]);
    expect(r.mapping).toEqual({
      id: "Kode",
      name: "Nama Outlet",
      lat: "Lintang",
      lon: "Bujur",
      attributes: { Omzet: "revenue", Potensi: "potential", Kunjungan: "visits", Kota: null },
    });
    expect(r.accounts).toEqual([
      {
        id: "OUT-001",
        name: "Toko Maju",
        lat: -6.2001,
        lon: 106.8167,
        attrs: { revenue: 1250000.5, potential: 2000000, visits: 4 },
      },
      {
        id: "OUT-002",
        name: "Warung Sari",
        lat: -6.9147,
        lon: 107.6098,
        attrs: { revenue: 875000, potential: 1500000.75, visits: 2 },
      },
    ]);
    expect(r.decimals).toMatchObject({ Lintang: ",", Bujur: ",", Omzet: ",", Potensi: "," });
  });

  it("reads tab-separated files", () => {
    const r = parseAccountsCsv("id\tname\tlat\tlon\trevenue\na1\tToko, Maju\t-6.2\t106.8\t1,250,000.50\n");
    expect(r.delimiter).toBe("\t");
    expect(r.accounts).toEqual([
      { id: "a1", name: "Toko, Maju", lat: -6.2, lon: 106.8, attrs: { revenue: 1250000.5 } },
    ]);
  });

  it("keeps separators, doubled quotes and line breaks inside quoted cells, and counts lines across them", () => {
    const csv = [
      "id,name,lat,lon,revenue",
      'a1,"Toko ""Maju"", Jaya",-6.2,106.8,"1,250,000.50"',
      'a2,"Jl. Merdeka 1',
      'Lantai 2",-6.3,106.9,10',
      "a3,Toko Tiga,-6.4,oops,5",
    ].join("\n");
    const r = parseAccountsCsv(csv);
    expect(r.accounts.map((a) => [a.id, a.name, a.attrs.revenue])).toEqual([
      ["a1", 'Toko "Maju", Jaya', 1250000.5],
      ["a2", "Jl. Merdeka 1\nLantai 2", 10],
    ]);
    expect(r.problems).toMatchObject([{ row: 5, reason: 'longitude "oops" is not a number' }]);
  });

  it("reads UTF-8 with a BOM, CRLF line ends and blank lines, and numbers lines as an editor does", () => {
    const csv = "\uFEFFid;nama;lat;lon\r\n\r\nA1;Café Ñusa;-6,2;106,8\r\n   \r\n;;;\r\nA2;Toko;-6,3;x\r\n\r\n";
    const r = parseAccountsCsv(csv);
    expect(r.headers).toEqual(["id", "nama", "lat", "lon"]);
    expect(r.total).toBe(2);
    expect(r.accounts).toEqual([{ id: "A1", name: "Café Ñusa", lat: -6.2, lon: 106.8, attrs: {} }]);
    expect(r.problems).toMatchObject([{ row: 6, reason: 'longitude "x" is not a number' }]);
  });

  it("refuses a row with an unquoted separator in a cell, or a missing cell, and says so", () => {
    const r = parseAccountsCsv("id,name,lat,lon\na1,Toko Maju, Jaya,-6.2,106.8\na2,Toko,-6.2\na3,Ok,-6.2,106.8,\n");
    expect(r.accounts.map((a) => a.id)).toEqual(["a3"]);
    expect(r.problems).toMatchObject([
      { row: 2, reason: 'has 5 cells where the header has 4 columns: is there an unquoted "," inside a cell?' },
      { row: 3, reason: "has 3 cells where the header has 4 columns" },
    ]);
  });

  it("refuses the row of a quote that never closes", () => {
    const r = parseAccountsCsv('id,name,lat,lon\na1,Toko,-6.2,106.8\na2,"Toko,-6.2,106.8\na3,Toko,-6.2,106.8\n');
    expect(r.accounts.map((a) => a.id)).toEqual(["a1"]);
    expect(r.problems).toMatchObject([
      { row: 3, reason: "a quote opened on this line is never closed, so the rest of the file was read as one cell" },
    ]);
  });
});

describe("numbers", () => {
  it("reads both conventions, whatever the column's, when the cell says which it is", () => {
    for (const decimal of [".", ","] as const) {
      expect(parseLocaleNumber("1.250.000,50", decimal)).toBe(1250000.5);
      expect(parseLocaleNumber("-6,2001", decimal)).toBe(-6.2001);
      expect(parseLocaleNumber("1250000.50", decimal)).toBe(1250000.5);
      expect(parseLocaleNumber("1,250,000.50", decimal)).toBe(1250000.5);
      expect(parseLocaleNumber(" 42 ", decimal)).toBe(42);
      expect(parseLocaleNumber("Rp 1.250.000", decimal)).toBe(1250000);
      expect(parseLocaleNumber("1e3", decimal)).toBe(1000);
    }
  });

  it("reads the same double as Number() does, so coordinates export back unchanged", () => {
    for (const s of ["-6.2001", "106.816666", "0.1", "123456789.123456", "-0.000001"]) {
      expect(parseLocaleNumber(s.replace(".", ","), ",")).toBe(Number(s));
      expect(parseLocaleNumber(s, ".")).toBe(Number(s));
    }
  });

  it("refuses what is not a number in either convention", () => {
    for (const s of ["", "abc", "12abc", "1.25.000", "1,2,3", "1.2,3.4", "-", "1e", "1 000"]) {
      expect(parseLocaleNumber(s, ".")).toBeNaN();
    }
  });

  it("reads an ambiguous 1.250 by the column's convention", () => {
    expect(parseLocaleNumber("1.250", ",")).toBe(1250);
    expect(parseLocaleNumber("1.250", ".")).toBe(1.25);
    expect(parseLocaleNumber("12,500", ".")).toBe(12500);
    expect(parseLocaleNumber("12,500", ",")).toBe(12.5);
    // Not ambiguous: a leading 0, or four digits before the separator.
    expect(parseLocaleNumber("0,250", ".")).toBe(0.25);
    expect(parseLocaleNumber("1250,500", ".")).toBe(1250.5);
  });

  it("decides per column, not per cell: the cells that say which convention decide for those that cannot", () => {
    // Omzet has 2,5 (decimal comma): its 1.250 is 1250. Potensi shows no convention, so the file's (comma) applies.
    const r = parseAccountsCsv("id;lat;lon;omzet;potensi\na;-6,2;106,8;1.250;1.250\nb;-6,3;106,9;2,5;7\n");
    expect(r.accounts.map((a) => a.attrs)).toEqual([
      { revenue: 1250, potential: 1250 },
      { revenue: 2.5, potential: 7 },
    ]);
    // Same cells with a column showing decimal points: 1.250 is 1.25 there.
    const en = parseAccountsCsv('id,lat,lon,revenue\na,-6.2,106.8,"1.250"\nb,-6.3,106.9,2.75\n');
    expect(en.accounts.map((a) => a.attrs.revenue)).toEqual([1.25, 2.75]);
  });

  it("with no evidence in the whole file, reads 1.250 as 1250 in a ; file and as 1.25 in a , file", () => {
    expect(parseAccountsCsv("id;lat;lon;omzet\na;-6;106;1.250\n").accounts[0]?.attrs.revenue).toBe(1250);
    expect(parseAccountsCsv("id,lat,lon,omzet\na,-6,106,1.250\n").accounts[0]?.attrs.revenue).toBe(1.25);
  });
});

describe("column mapping", () => {
  it("detects columns by English and Indonesian names, ignoring case, spaces and underscores", () => {
    const m = detectMapping(
      [
        "OUTLET_ID",
        "nama outlet",
        "LATITUDE",
        "Long",
        "Penjualan",
        "potensi",
        "kunjungan_per_bulan",
        "Kode Pos",
        "Kota",
      ],
      [["1", "Toko", "-6.2", "106.8", "1000", "2000", "4", "16111", "Bogor"]],
    );
    expect(m).toEqual({
      id: "OUTLET_ID",
      name: "nama outlet",
      lat: "LATITUDE",
      lon: "Long",
      attributes: {
        Penjualan: "revenue",
        potensi: "potential",
        kunjungan_per_bulan: "visits",
        "Kode Pos": null,
        Kota: null,
      },
    });
  });

  it("keeps an English column's own spelling and the other names unique", () => {
    const m = detectMapping(["lintang", "bujur", "Revenue", "Omzet", "segment score"], [["1", "2", "3", "4", "5"]]);
    expect(m.attributes).toEqual({ Revenue: "Revenue", Omzet: "revenue", "segment score": "segment score" });
    const twice = detectMapping(["lat", "lon", "Omzet", "Sales"], [["1", "2", "3", "4"]]);
    expect(twice.attributes).toEqual({ Omzet: "revenue", Sales: "Sales" });
  });

  it("applies a person's corrections: other coordinate columns, a renamed metric, a column turned off, no id", () => {
    const csv = "Kode;Y;X;Lat GPS;Lon GPS;Omzet 2024;Nomor\nA1;0;0;-6,2;106,8;1.000;7\n";
    // Coordinate columns moved elsewhere become what their values make them (numbers: metrics).
    const moved = parseAccountsCsv(csv, { mapping: { lat: "Lat GPS", lon: "Lon GPS" } });
    expect(moved.mapping.attributes).toEqual({ Y: "Y", X: "X", "Omzet 2024": "Omzet 2024", Nomor: null });
    const r = parseAccountsCsv(csv, {
      mapping: {
        id: null,
        lat: "Lat GPS",
        lon: "Lon GPS",
        attributes: { "Omzet 2024": "revenue", Y: null, X: null, Nomor: "outlets" },
      },
    });
    expect(r.detected.lat).toBe("Y");
    expect(r.mapping).toEqual({
      id: null,
      name: null,
      lat: "Lat GPS",
      lon: "Lon GPS",
      attributes: { Kode: null, Y: null, X: null, "Omzet 2024": "revenue", Nomor: "outlets" },
    });
    expect(r.accounts).toEqual([
      { id: "row-2", name: "row-2", lat: -6.2, lon: 106.8, attrs: { revenue: 1000, outlets: 7 } },
    ]);
  });

  it("refuses a mapping that names a missing column or uses one column twice, with what the file has", () => {
    const csv = "id,lat,lon\na,-6,106\n";
    expect(() => parseAccountsCsv(csv, { mapping: { lat: "Lintang" } })).toThrow(
      'The mapping names column "Lintang" for latitude, but the file has "id", "lat", "lon".',
    );
    expect(() => parseAccountsCsv(csv, { mapping: { lat: "lon" } })).toThrow(
      /cannot be both the latitude and the longitude/,
    );
    expect(() => parseAccountsCsv("id,lat,lon,n\na,-6,106,1", { mapping: { attributes: { n: "accounts" } } })).toThrow(
      /"accounts" is a built-in metric/,
    );
  });

  it("refuses a file without coordinate columns with its headers, detected mapping and first rows, so the mapping can be fixed", () => {
    let error: ImportError | null = null;
    try {
      parseAccountsCsv("Kode;Nama;Koordinat Y;Koordinat X\nA1;Toko;-6,2;106,8\n");
    } catch (e) {
      error = e as ImportError;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect(error?.message).toMatch(/needs a latitude and a longitude column/);
    expect(error?.details).toMatchObject({
      delimiter: ";",
      headers: ["Kode", "Nama", "Koordinat Y", "Koordinat X"],
      detected: { id: "Kode", name: "Nama", lat: null, lon: null },
      preview: [{ row: 2, cells: ["A1", "Toko", "-6,2", "106,8"] }],
    });
    const fixed = parseAccountsCsv("Kode;Nama;Koordinat Y;Koordinat X\nA1;Toko;-6,2;106,8\n", {
      mapping: { lat: "Koordinat Y", lon: "Koordinat X" },
    });
    expect(fixed.accounts[0]).toMatchObject({ lat: -6.2, lon: 106.8 });
  });

  it("returns a preview of the first rows as they are in the file", () => {
    const lines = ["id,lat,lon"];
    for (let i = 0; i < 30; i++) lines.push(`a${i},-6.${i},106`);
    const r = parseAccountsCsv(lines.join("\n"));
    expect(r.preview).toHaveLength(10);
    expect(r.preview[0]).toEqual({ row: 2, cells: ["a0", "-6.0", "106"] });
  });
});

describe("suspicious data", () => {
  it("refuses duplicate ids, naming the line of each", () => {
    const r = parseAccountsCsv("id,lat,lon\nA1,-6.2,106.8\nA2,-6.3,106.8\nA1,-6.4,106.8\nA1,-6.5,106.8\n");
    expect(r.accounts.map((a) => a.id)).toEqual(["A1", "A2"]);
    expect(r.problems).toMatchObject([
      { row: 4, reason: 'id "A1" appears twice: also on line 2' },
      { row: 5, reason: 'id "A1" appears twice: also on line 2' },
    ]);
  });

  it("says latitude and longitude look swapped when a latitude beyond ±90 would be a valid longitude", () => {
    const r = parseAccountsCsv("id,lat,lon\na,106.8,-6.2\nb,-95,106\n");
    expect(r.problems).toMatchObject([
      { row: 2, reason: "latitude 106.8 is outside -90…90 (latitude and longitude look swapped)" },
      { row: 3, reason: "latitude -95 is outside -90…90" },
    ]);
    // Given the plan's area, the hint is only given when the exchanged point lies in it.
    const far = parseAccountsCsv("id,lat,lon\na,106.8,-6.2\nb,150,10\n", { area: JAVA });
    expect(far.problems.map((p) => p.reason)).toEqual([
      "latitude 106.8 is outside -90…90 (latitude and longitude look swapped)",
      "latitude 150 is outside -90…90",
    ]);
  });

  it("warns about points that are valid but fit the plan's area only with latitude and longitude exchanged", () => {
    // A plan in the Gulf of Guinea area (lon 0…10, lat 0…8): (lat 2, lon 6) is inside; (lat 6, lon 2)…
    const area: BBox = [20, 0, 30, 8];
    const r = parseAccountsCsv("id,lat,lon\na,4,25\nb,25,4\n", { area });
    expect(r.accounts.map((a) => a.id)).toEqual(["a", "b"]);
    expect(r.warnings).toMatchObject([
      {
        row: 3,
        kind: "swapped",
        reason:
          "latitude and longitude look swapped: (lat 25, lon 4) is 17° outside the plan's area, but inside it with the two exchanged",
      },
    ]);
    expect(r.warningCounts).toEqual({ swapped: 1, outside: 0, "no-id": 0 });
  });

  it("warns about points more than 2° outside the plan's area, and accepts those just outside", () => {
    const r = parseAccountsCsv("id,lat,lon\nin,-6.9,107.6\nnear,-6.9,110.5\nbali,-8.65,115.2\nnull,0,0\n", {
      area: JAVA,
    });
    expect(r.accounts).toHaveLength(4);
    expect(r.warnings).toMatchObject([
      { row: 4, kind: "outside", reason: "(lat -8.65, lon 115.2) is 6.2° outside the plan's area" },
      { row: 5, kind: "outside", reason: "(lat 0, lon 0) is 105° outside the plan's area" },
    ]);
    expect(parseAccountsCsv("id,lat,lon\nx,0,0\n").warnings).toMatchObject([]);
  });

  it("lists at most 200 warnings but counts them all", () => {
    const lines = ["id,lat,lon"];
    for (let i = 0; i < 500; i++) lines.push(`a${i},-6.2,120`);
    const r = parseAccountsCsv(lines.join("\n"), { area: JAVA });
    expect(r.warnings).toHaveLength(200);
    expect(r.warningCount).toBe(500);
    expect(r.warningCounts.outside).toBe(500);
    expect(r.problemCount).toBe(0);
  });
});

describe("GeoJSON and sniffing", () => {
  it("takes a GeoJSON upload through the same entry point, with a mapping override for its properties", () => {
    const fc = {
      type: "FeatureCollection",
      features: [
        {
          type: "Feature",
          id: "f1",
          geometry: { type: "Point", coordinates: [106.8, -6.2] },
          properties: { Kode: "K1", Omzet: "1.250.000,50", lat: -6.2, catatan: "x" },
        },
      ],
    };
    const r = parseAccounts(`\n ${JSON.stringify(fc)}`);
    expect(r.format).toBe("geojson");
    expect(r.accounts).toEqual([{ id: "K1", name: "K1", lon: 106.8, lat: -6.2, attrs: { revenue: 1250000.5 } }]);
    expect(r.mapping.lat).toBe("geometry");
    const m = parseAccounts(JSON.stringify(fc), { mapping: { id: null, attributes: { Omzet: "omzet" } } });
    expect(m.accounts[0]).toMatchObject({ id: "f1", attrs: { omzet: 1250000.5 } });
  });

  it("says so when JSON is broken", () => {
    expect(() => parseAccounts('{"type": "FeatureCollection",')).toThrow(/not valid JSON/);
  });
});

describe("large files", () => {
  it("reads 100,000 Indonesian-style rows", () => {
    const lines = ["Kode;Nama Outlet;Lintang;Bujur;Omzet;Potensi;Kunjungan"];
    for (let i = 0; i < 100_000; i++) {
      const lat = (-6 - (i % 1000) / 1000).toFixed(4).replace(".", ",");
      const lon = (106 + (i % 997) / 1000).toFixed(4).replace(".", ",");
      const revenue = `1.${String(Math.floor(i / 1000)).padStart(3, "0")}.${String(i % 1000).padStart(3, "0")},25`;
      lines.push(`K${i};"Toko ${i}; Jaya";${lat};${lon};${revenue};${i % 50};${i % 9}`);
    }
    const r = parseAccountsCsv(lines.join("\r\n"));
    expect(r.total).toBe(100_000);
    expect(r.problemCount).toBe(0);
    expect(r.accounts).toHaveLength(100_000);
    expect(r.accounts[54_321]).toEqual({
      id: "K54321",
      name: "Toko 54321; Jaya",
      lat: -6.321,
      lon: 106.483,
      attrs: { revenue: 1_054_321.25, potential: 21, visits: 6 },
    });
    expect(r.lines[54_321]).toBe(54_323);
  });

  it("refuses more rows than a plan holds", () => {
    const text = `lat,lon\n${"-6,106\n".repeat(MAX_ACCOUNTS + 1)}`;
    expect(() => parseAccountsCsv(text)).toThrow(/at most 200000 accounts/);
  });
});
