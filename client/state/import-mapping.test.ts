import { describe, expect, it } from "vitest";
import { applyMapping, columnStats, detectMapping } from "../../shared/accounts/mapping.ts";
import {
  assignAttribute,
  assignRole,
  buildOverride,
  type ColumnMapping,
  contentTypeFor,
  formatBytes,
  isAccountsFile,
  mappingComplete,
  metricChoices,
  problemMessage,
  progressFraction,
  progressText,
  readPreview,
  readTerritoriesPreview,
} from "./import-mapping.ts";

const HEADERS = ["Kode", "Nama", "Posisi Y", "Posisi X", "Omzet", "Kota"];
const ROWS = [
  ["A1", "Toko A", "-6.9", "107.6", "1000", "Bandung"],
  ["A2", "Toko B", "-6.8", "107.5", "2000", "Bogor"],
];
/** What the server detects for HEADERS: no coordinates (their names are not known), the coordinates as metrics. */
const DETECTED = detectMapping(HEADERS, ROWS);

/** The server's side: the override applied to the detection, as the real import would. */
function serverMapping(chosen: ColumnMapping): ColumnMapping {
  return applyMapping(
    HEADERS,
    DETECTED,
    columnStats(HEADERS.length, ROWS),
    buildOverride(DETECTED, chosen) ?? undefined,
  );
}

describe("the mapping a person corrects", () => {
  it("starts from the detection: coordinates missing, their columns taken for metrics", () => {
    expect(DETECTED).toMatchObject({ id: "Kode", name: "Nama", lat: null, lon: null });
    expect(DETECTED.attributes).toMatchObject({ "Posisi Y": "Posisi Y", "Posisi X": "Posisi X", Omzet: "revenue" });
    expect(mappingComplete(DETECTED)).toBe(false);
    expect(buildOverride(DETECTED, DETECTED)).toBeNull();
  });

  it("picking the coordinate columns sends only the coordinates, and the server agrees", () => {
    const chosen = assignRole(assignRole(DETECTED, "lat", "Posisi Y"), "lon", "Posisi X");
    expect(chosen.attributes).not.toHaveProperty("Posisi Y");
    expect(chosen.attributes).not.toHaveProperty("Posisi X");
    expect(mappingComplete(chosen)).toBe(true);
    expect(buildOverride(DETECTED, chosen)).toEqual({ lat: "Posisi Y", lon: "Posisi X" });
    expect(serverMapping(chosen)).toEqual({
      id: "Kode",
      name: "Nama",
      lat: "Posisi Y",
      lon: "Posisi X",
      attributes: { Omzet: "revenue", Kota: null },
    });
  });

  it("picking the longitude column for latitude swaps the two", () => {
    const chosen = assignRole(assignRole(DETECTED, "lat", "Posisi Y"), "lon", "Posisi X");
    const swapped = assignRole(chosen, "lat", "Posisi X");
    expect(swapped).toMatchObject({ lat: "Posisi X", lon: "Posisi Y" });
    expect(buildOverride(DETECTED, swapped)).toEqual({ lat: "Posisi X", lon: "Posisi Y" });
    expect(serverMapping(swapped)).toMatchObject({ lat: "Posisi X", lon: "Posisi Y" });
  });

  it("a column taken out of a role is said to be ignored, not left to the server to guess", () => {
    const chosen = assignRole(DETECTED, "id", null);
    expect(chosen.id).toBeNull();
    expect(buildOverride(DETECTED, chosen)).toEqual({ id: null, attributes: { Kode: null } });
    expect(serverMapping(chosen).attributes.Kode).toBeNull();
  });

  it("a column moved from a role to another role's place hands its old role over", () => {
    // The name column becomes the id: the id's old column goes to the name.
    const chosen = assignRole(DETECTED, "id", "Nama");
    expect(chosen).toMatchObject({ id: "Nama", name: "Kode" });
  });

  it("renames and ignores attributes; role columns never appear among them", () => {
    let chosen = assignRole(assignRole(DETECTED, "lat", "Posisi Y"), "lon", "Posisi X");
    chosen = assignAttribute(chosen, "Omzet", "potential");
    chosen = assignAttribute(chosen, "Kota", null);
    expect(buildOverride(DETECTED, chosen)).toEqual({
      lat: "Posisi Y",
      lon: "Posisi X",
      attributes: { Omzet: "potential" },
    });
    expect(serverMapping(chosen).attributes).toEqual({ Omzet: "potential", Kota: null });
  });

  it("offers a column's current name, its own name and the known metrics, once each", () => {
    expect(metricChoices("Omzet", "revenue")).toEqual(["revenue", "Omzet", "potential", "visits"]);
    expect(metricChoices("Kota", null)).toEqual(["Kota", "revenue", "potential", "visits"]);
    expect(metricChoices("Omzet", "revenue", [])).toEqual(["revenue", "Omzet"]);
  });
});

describe("reading the server's dry run", () => {
  it("reads a preview and keeps its counts", () => {
    const p = readPreview({
      headers: HEADERS,
      detected: DETECTED,
      mapping: DETECTED,
      preview: [{ row: 2, cells: ROWS[0] }],
      total: 3,
      valid: 2,
      problems: [{ row: 4, code: "lat-not-number", params: { value: "x" }, reason: "latitude is not a number" }],
      problemCount: 1,
      warnings: [{ row: 3, kind: "swapped", reason: "looks swapped" }],
      warningCount: 1,
      blanks: { Omzet: 2, Kota: 0 },
      numeric: ["Omzet"],
      refused: "1 of 3 rows cannot be imported",
    });
    expect(p).toMatchObject({ total: 3, valid: 2, problemCount: 1, warningCount: 1, error: null });
    expect(p?.problems[0]).toEqual({
      row: 4,
      code: "lat-not-number",
      params: { value: "x" },
      reason: "latitude is not a number",
    });
    expect(p?.blanks).toEqual({ Omzet: 2 });
    expect(p?.numeric).toEqual(["Omzet"]);
    expect(p?.warnings[0]?.kind).toBe("swapped");
    expect(p?.refused).toContain("cannot be imported");
  });

  it("reads the mapping step out of a 400 for a file it could not read, without a mapping used", () => {
    const p = readPreview(
      { error: "The file needs a latitude…", headers: HEADERS, detected: DETECTED, preview: [] },
      "The file needs a latitude…",
    );
    expect(p?.mapping).toBeNull();
    expect(p?.error).toContain("latitude");
    expect(p?.headers).toEqual(HEADERS);
  });

  it("reads a refused import's rows as its problems", () => {
    const p = readPreview({ headers: ["a"], detected: DETECTED, rows: [{ row: 2, reason: "x" }] });
    expect(p?.problems).toEqual([{ row: 2, code: null, params: {}, reason: "x" }]);
  });

  it("says a problem in the person's words from its code, or keeps the server's sentence for an unknown one", () => {
    expect(problemMessage({ code: "lat-range", params: { value: 106.8, swapped: true } })).toEqual({
      key: "import.problem.lat-range-swapped",
      params: { value: 106.8 },
    });
    expect(problemMessage({ code: "cell-count", params: { cells: 5, columns: 4, separator: ";" } })).toEqual({
      key: "import.problem.cell-count-separator",
      params: { cells: 5, columns: 4, separator: '";"' },
    });
    expect(problemMessage({ code: "lat-not-number", params: { value: "" } })?.key).toBe(
      "import.problem.lat-not-number-empty",
    );
    expect(problemMessage({ code: "from-the-future", params: {} })).toBeNull();
    expect(problemMessage({ code: null, params: {} })).toBeNull();
  });

  it("gives up on a body without columns", () => {
    expect(readPreview({ error: "The upload is empty" })).toBeNull();
    expect(readPreview(null)).toBeNull();
  });
});

describe("upload", () => {
  it("sends GeoJSON as JSON, anything else as CSV", () => {
    expect(contentTypeFor("outlets.geojson")).toBe("application/json");
    expect(contentTypeFor("outlets.txt", "{")).toBe("application/json");
    expect(contentTypeFor("outlets.csv", "K")).toBe("text/csv");
    expect(isAccountsFile("Outlets.TSV")).toBe(true);
    expect(isAccountsFile("outlets.xlsx")).toBe(false);
  });

  it("says how much went, in units people read", () => {
    expect(formatBytes(812, "en")).toBe("812 B");
    expect(formatBytes(14_200, "en")).toBe("14 KB");
    expect(formatBytes(8_140_000, "en")).toBe("8.1 MB");
    expect(formatBytes(8_140_000, "id")).toBe("8,1 MB");
    const half = { phase: "sending" as const, loaded: 4_000_000, total: 8_000_000 };
    expect(progressFraction(half)).toBe(0.5);
    expect(progressText(half, "en")).toBe("4 MB / 8 MB");
    expect(progressFraction({ phase: "sending", loaded: 10, total: 0 })).toBe(0);
    expect(progressFraction({ phase: "processing" })).toBeNull();
    expect(progressText({ phase: "processing" }, "en")).toBeNull();
  });
});

describe("reading the territories dry run", () => {
  it("numbers features from 1 and keeps names, counts and the refusal", () => {
    const p = readTerritoriesPreview({
      total: 3,
      valid: 2,
      names: ["Bandung", "Bogor"],
      bbox: [106, -7, 108, -6],
      replaced: 0,
      problems: [{ index: 2, name: "Cirebon", reason: "the ring is not closed" }],
      problemCount: 1,
      warnings: [{ index: 0, reason: "colour not readable" }],
      warningCount: 1,
      refused: "1 of 3 features cannot be imported",
    });
    expect(p).toMatchObject({ total: 3, valid: 2, problemCount: 1, warningCount: 1 });
    expect(p?.problems[0]).toEqual({ row: 3, name: "Cirebon", reason: "the ring is not closed" });
    expect(p?.warnings[0]).toEqual({ row: 1, reason: "colour not readable" });
    expect(p?.bbox).toEqual([106, -7, 108, -6]);
    expect(p?.refused).toContain("cannot be imported");
  });

  it("is null for an error body", () => {
    expect(readTerritoriesPreview({ error: "The request body is not valid JSON" })).toBeNull();
  });
});
