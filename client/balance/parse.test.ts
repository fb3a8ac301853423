import { describe, expect, it } from "vitest";
import { parseProposal, parseProposalsMessage, parseSummary } from "./parse.ts";
import { summaryFixture } from "./summary-fixture.ts";

const summary = summaryFixture("p-abc", {
  progress: 0.4,
  by: { id: "person-1", name: "Ani", role: "edit" },
  settings: {
    ...summaryFixture("p").settings,
    metrics: { revenue: 1, accounts: 0.5 },
    shares: { west: 1.2 },
    locked: ["depok"],
  },
  best: { maxDeviation: 0.08, objective: 1.5 },
  granularity: { revenue: 0.01 },
  score: { before: 61.2, after: null },
});

describe("message 23", () => {
  it("reads the summaries the server sends", () => {
    const [p] = parseProposalsMessage(JSON.stringify({ proposals: [summary] }));
    expect(p).toEqual(summary);
  });

  it("drops garbage instead of breaking the panel", () => {
    expect(parseProposalsMessage("<html>502</html>")).toEqual([]);
    expect(parseProposalsMessage("null")).toEqual([]);
    expect(parseProposalsMessage(JSON.stringify({ proposals: "x" }))).toEqual([]);
    expect(parseProposalsMessage(JSON.stringify({ proposals: [null, 3, { id: "p" }] }))).toEqual([]);
  });

  it("leaves out a summary without an id, a known status or its author, and keeps the others", () => {
    const list = parseProposalsMessage(
      JSON.stringify({
        proposals: [
          { ...summary, id: "" },
          { ...summary, id: "p-2", status: "exploded" },
          { ...summary, id: "p-3", by: { name: "Ani" } },
          { ...summary, id: "p-4" },
        ],
      }),
    );
    expect(list.map((p) => p.id)).toEqual(["p-4"]);
  });

  it("reads a field of the wrong kind as empty, never trusting it", () => {
    const p = parseSummary({
      ...summary,
      progress: 7,
      best: { maxDeviation: "a lot" },
      settings: { metrics: { revenue: "1", accounts: 2 }, locked: ["a", 3], scope: "all" },
      score: "high",
      moveCount: -0 / 0,
      accepted: { by: { id: "x", name: "Budi", role: "admin" }, applied: 3, skipped: [{ unit: "u", reason: "?" }] },
      undone: { at: "now" },
    });
    expect(p?.progress).toBe(1);
    expect(p?.best).toBeNull();
    expect(p?.settings.metrics).toEqual({ accounts: 2 });
    expect(p?.settings.locked).toEqual(["a"]);
    expect(p?.settings.scope).toBeNull();
    expect(p?.settings.contiguous).toBe(true);
    expect(p?.score).toBeNull();
    expect(p?.moveCount).toBe(0);
    expect(p?.accepted).toEqual({ by: { id: "x", name: "Budi", role: "edit" }, at: "", applied: 3, skipped: [] });
    expect(p?.undone).toBeNull();
  });
});

describe("a whole proposal", () => {
  it("reads its moves, tables and stale units", () => {
    const p = parseProposal({
      ...summary,
      status: "ready",
      moves: [
        { unit: "87a", from: "west", to: "east" },
        { unit: "87b", from: null, to: "east" },
        { unit: 4, from: "west", to: "east" },
        { unit: "87c", from: "west" },
      ],
      before: { score: 61.2, territories: { west: { revenue: 240, accounts: "many" }, east: { revenue: 40 } } },
      after: { score: 98, territories: { west: { revenue: 140 }, east: { revenue: 140 } } },
      stale: ["87b", 9],
    });
    expect(p?.moves).toEqual([
      { unit: "87a", from: "west", to: "east" },
      { unit: "87b", from: null, to: "east" },
    ]);
    expect(p?.before).toEqual({ score: 61.2, territories: { west: { revenue: 240 }, east: { revenue: 40 } } });
    expect(p?.after?.score).toBe(98);
    expect(p?.stale).toEqual(["87b"]);
  });

  it("has no tables while it runs, and is null when unreadable", () => {
    expect(parseProposal({ ...summary, before: null, after: null })?.after).toBeNull();
    expect(parseProposal({ error: "not found" })).toBeNull();
    expect(parseProposal(null)).toBeNull();
  });
});
