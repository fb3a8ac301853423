import { describe, expect, it } from "vitest";
import { accountsImportUrl, exportUrl, territoriesImportUrl, unitsUrl } from "./data-urls.ts";

describe("import and export addresses", () => {
  it("puts the dry run, mode, skip and mapping in the accounts import's query", () => {
    expect(accountsImportUrl("p1", { dryRun: true, mode: "replace" })).toBe("/api/plans/p1/accounts?dryRun=1");
    const url = new URL(
      accountsImportUrl("p1", { dryRun: false, mode: "append", skipInvalid: true, mapping: { lat: "Posisi Y" } }),
      "http://x",
    );
    expect(url.searchParams.get("dryRun")).toBeNull();
    expect(url.searchParams.get("mode")).toBe("append");
    expect(url.searchParams.get("skipInvalid")).toBe("1");
    expect(JSON.parse(url.searchParams.get("mapping") ?? "")).toEqual({ lat: "Posisi Y" });
  });

  it("sends competitors to their own address, with the same query", () => {
    expect(accountsImportUrl("p1", { dryRun: true, mode: "append" }, "competitors")).toBe(
      "/api/plans/p1/competitors?dryRun=1&mode=append",
    );
  });

  it("asks the unit layer for a dry run, or to use the good areas only", () => {
    expect(unitsUrl("p 1", { dryRun: true })).toBe("/api/plans/p%201/units?dryRun=1");
    expect(unitsUrl("p1", { dryRun: false, skipInvalid: true })).toBe("/api/plans/p1/units?skipInvalid=1");
    expect(unitsUrl("p1", { dryRun: false })).toBe("/api/plans/p1/units");
  });

  it("asks the territories import to add or replace", () => {
    expect(territoriesImportUrl("p1", { dryRun: true, mode: "add" })).toBe(
      "/api/plans/p1/territories/import?mode=add&dryRun=1",
    );
    expect(territoriesImportUrl("p1", { dryRun: false, mode: "replace" })).toBe(
      "/api/plans/p1/territories/import?mode=replace",
    );
  });

  it("carries the token in export links, which cannot send a header", () => {
    expect(exportUrl("p1", "a b", "geojson")).toBe("/api/plans/p1/territories?download=1&token=a%20b");
    expect(exportUrl("p1", "t", "assignments")).toBe("/api/plans/p1/assignments.csv?token=t");
    expect(exportUrl("p1", null, "metrics")).toBe("/api/plans/p1/metrics.csv");
  });
});
