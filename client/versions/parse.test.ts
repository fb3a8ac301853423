import { describe, expect, it } from "vitest";
import { parseComparison, parseRestore, parseRestoreUndo, parseVersionList } from "./parse.ts";

describe("versions from the API", () => {
  it("lists versions newest first, dropping entries without an id and defaulting odd fields", () => {
    const list = parseVersionList({
      versions: [
        {
          id: "v1",
          name: "Kickoff",
          at: "2026-12-01T09:00:00Z",
          by: { id: "p1", name: "Ani", role: "edit" },
          auto: false,
          summary: "10 territories",
          reason: null,
          bytes: 1200,
        },
        { id: "", name: "no id" },
        "nonsense",
        {
          id: "v2",
          name: "Before an accounts import",
          at: "2026-12-02T09:00:00Z",
          by: null,
          auto: true,
          reason: "accounts-import",
          summary: 5,
          restoredFrom: "v1",
          damaged: "checksum",
        },
        { id: "v3", name: "x", at: "2026-12-03T09:00:00Z", auto: true, reason: "made-up" },
      ],
    });
    expect(list.map((v) => v.id)).toEqual(["v3", "v2", "v1"]);
    expect(list[0]?.reason).toBeNull();
    expect(list[1]).toMatchObject({
      auto: true,
      reason: "accounts-import",
      summary: "",
      by: { id: "", name: "", role: "edit" },
      restoredFrom: "v1",
      damaged: "checksum",
      bytes: null,
    });
    expect(list[2]).toMatchObject({ name: "Kickoff", by: { name: "Ani" }, bytes: 1200, auto: false });
    expect(parseVersionList(null)).toEqual([]);
    expect(parseVersionList({ versions: "no" })).toEqual([]);
  });

  it("reads a comparison, keeping only numbers and known shapes", () => {
    const c = parseComparison({
      from: "v1",
      to: "current",
      territories: {
        added: [{ id: "n", name: "New" }],
        removed: [{ id: "s" }],
        changed: [{ id: "a", name: "A", fields: ["geometry", 3, "name"] }],
      },
      unitsMoved: [{ unit: "87a", from: "a", to: null }],
      accountsMoved: [{ account: "x", from: ["a", "b"], to: "a" }],
      accounts: { added: 2, removed: "many" },
      metrics: { a: { accounts: { from: 3, to: "4" } }, bad: 7 },
      score: { from: 47.5, to: null },
      settings: { allowedDeviation: { from: 0.15, to: 0.1 } },
      layerChanged: true,
    });
    expect(c).not.toBeNull();
    expect(c?.territories.removed).toEqual([{ id: "s", name: "s" }]);
    expect(c?.territories.changed[0]?.fields).toEqual(["geometry", "name"]);
    expect(c?.unitsMoved).toEqual([{ unit: "87a", from: "a", to: null }]);
    expect(c?.accountsMoved[0]?.from).toEqual(["a", "b"]);
    expect(c?.accounts).toEqual({ added: 2, removed: 0 });
    expect(c?.metrics).toEqual({ a: { accounts: { from: 3, to: null } } });
    expect(c?.score).toEqual({ from: 47.5, to: null });
    expect(c?.layerChanged).toBe(true);
    expect(parseComparison({ error: "no" })).toBeNull();
  });

  it("reads what a restore and its undo answered", () => {
    expect(
      parseRestore({
        restoreId: "r1",
        version: { id: "v1", name: "Q3" },
        changed: 12,
        data: { accounts: true, competitors: true, units: false },
        checkpoints: { before: "c1", after: "c2" },
        score: { before: 40, after: 70 },
      }),
    ).toEqual({
      restoreId: "r1",
      version: { id: "v1", name: "Q3" },
      changed: 12,
      data: { accounts: true, competitors: true, units: false },
      score: { before: 40, after: 70 },
    });
    expect(parseRestore({ changed: 1 })).toBeNull();
    expect(parseRestoreUndo({ reverted: 11, kept: 1, score: { before: 70 } })).toEqual({
      reverted: 11,
      kept: 1,
      score: { before: 70, after: null },
    });
  });
});
