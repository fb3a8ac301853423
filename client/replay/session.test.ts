import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import { decodeHistory, entryAt, latestSessionStart, scoreAt, scorePath, tickMarks } from "./session.ts";

const T = (hhmm: string) => Date.parse(`2026-12-05T${hhmm}:00Z`);
const iso = (hhmm: string) => new Date(T(hhmm)).toISOString();

function entry(seq: number, at: string, lastAt = at): ActivityEntry {
  return {
    seq,
    kind: "territory-reshaped",
    actor: { id: "p-ani", name: "Ani", role: "edit" },
    at: iso(at),
    lastAt: iso(lastAt),
    count: 1,
  };
}

describe("latestSessionStart", () => {
  it("walks back to the first long quiet spell", () => {
    const feed = [
      entry(5, "10:30"),
      entry(4, "10:00", "10:10"),
      entry(3, "09:40"),
      entry(2, "07:00"),
      entry(1, "06:50"),
    ];
    expect(latestSessionStart(feed)).toBe(T("09:39"));
  });

  it("is null without a feed", () => {
    expect(latestSessionStart([])).toBeNull();
  });
});

describe("decodeHistory", () => {
  it("decodes bytes and times, and keeps only the first snapshot", () => {
    const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));
    const decoded = decodeHistory([
      {
        entries: [
          { at: iso("09:00"), by: null, kind: "snapshot", state: b64([1, 2]) },
          { at: iso("09:01"), by: null, kind: "score", score: 80 },
          { at: iso("09:01"), by: { id: "p", name: "Ani", role: "edit" }, kind: "update", update: b64([3]) },
        ],
        next: "g1.1.0",
      },
      {
        entries: [
          { at: iso("09:02"), by: null, kind: "snapshot", state: b64([9]) },
          { at: iso("09:03"), by: null, kind: "update", update: b64([4, 5]) },
          { at: iso("09:03"), by: entry(1, "09:03").actor, kind: "activity", entry: entry(1, "09:03") },
        ],
        next: null,
      },
    ]);
    expect(decoded.snapshot).toEqual({ at: T("09:00"), state: new Uint8Array([1, 2]) });
    expect(decoded.updates.map((u) => [u.at, [...u.update], u.by?.name ?? null])).toEqual([
      [T("09:01"), [3], "Ani"],
      [T("09:03"), [4, 5], null],
    ]);
    expect(decoded.scores).toEqual([{ at: T("09:01"), score: 80 }]);
    expect(decoded.activity.map((e) => e.seq)).toEqual([1]);
  });
});

describe("entryAt / scoreAt", () => {
  const feed = [entry(1, "09:00", "09:02"), entry(2, "09:10")];
  it("finds the entry being replayed while it is recent", () => {
    expect(entryAt(feed, T("08:59"))).toBeNull();
    expect(entryAt(feed, T("09:01"))?.seq).toBe(1);
    expect(entryAt(feed, T("09:04"))?.seq).toBe(1);
    expect(entryAt(feed, T("09:08"))).toBeNull();
    expect(entryAt(feed, T("09:10"))?.seq).toBe(2);
  });

  it("holds a score until the next", () => {
    const scores = [
      { at: 10, score: 50 },
      { at: 20, score: null },
      { at: 30, score: 70 },
    ];
    expect(scoreAt(scores, 5)).toBeNull();
    expect(scoreAt(scores, 15)).toBe(50);
    expect(scoreAt(scores, 25)).toBeNull();
    expect(scoreAt(scores, 99)).toBe(70);
  });
});

describe("scorePath", () => {
  it("draws steps across the span, breaking where there is no score", () => {
    const scores = [
      { at: 0, score: 50 },
      { at: 50, score: 100 },
      { at: 60, score: null },
      { at: 80, score: 0 },
    ];
    expect(scorePath(scores, 0, 100, 100, 10)).toBe("M0.0 5.0H50.0V0.0H60.0M80.0 10.0H100.0");
  });
});

describe("tickMarks", () => {
  it("puts one tick per entry, at most one per bucket, along the span", () => {
    const feed = [entry(1, "09:00"), entry(2, "09:00"), entry(3, "09:30"), entry(4, "10:00")];
    expect(tickMarks(feed, T("09:00"), T("10:00"), 10)).toEqual([
      { at: 0, actorId: "p-ani", seq: 1 },
      { at: 0.5, actorId: "p-ani", seq: 3 },
      { at: 1, actorId: "p-ani", seq: 4 },
    ]);
  });
});
