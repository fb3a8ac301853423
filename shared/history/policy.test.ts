import { describe, expect, it } from "vitest";
import { type HistoryPolicy, type HistorySegment, segmentsToDrop, wantsSnapshot } from "./policy.ts";

const policy: HistoryPolicy = { snapshotMinBytes: 1000, snapshotMaxUpdates: 50, maxAgeMs: 10_000, maxBytes: 10_000 };
const DAY = 24 * 3600_000;

function seg(gen: number, o: Partial<HistorySegment> = {}): HistorySegment {
  return {
    gen,
    snapshot: false,
    snapshotBytes: 0,
    snapshotAt: null,
    first: gen * 100,
    last: gen * 100 + 50,
    updates: 10,
    bytes: 200,
    ...o,
  };
}

describe("wantsSnapshot", () => {
  it("wants one when nothing sealed can be replayed from (a plan from before history)", () => {
    expect(wantsSnapshot([], 5, 100, policy)).toBe(true);
    expect(wantsSnapshot([seg(3)], 4, 100, policy)).toBe(true);
  });

  it("does not want one while the updates since the last are few and small", () => {
    expect(wantsSnapshot([seg(0), seg(1), seg(2)], 3, 100, policy)).toBe(false);
    expect(wantsSnapshot([seg(4, { snapshot: true, snapshotBytes: 100 }), seg(5)], 6, 100, policy)).toBe(false);
  });

  it("wants one past the bytes (or the state's size, if larger) or the count since the last", () => {
    const five = [0, 1, 2, 3, 4].map((g) => seg(g)); // 1000 bytes, 50 updates
    expect(wantsSnapshot(five, 5, 100, policy)).toBe(true);
    expect(wantsSnapshot(five.slice(0, 4), 4, 100, policy)).toBe(false);
    // A large state: snapshots only once the updates weigh as much as it.
    expect(wantsSnapshot([seg(0, { updates: 1, bytes: 1500 })], 1, 3000, policy)).toBe(false);
    expect(wantsSnapshot([seg(0, { updates: 1, bytes: 3500 })], 1, 3000, policy)).toBe(true);
    expect(wantsSnapshot([seg(0, { updates: 60, bytes: 10 })], 1, 100, policy)).toBe(true);
  });

  it("wants one after a gap in the sealed segments", () => {
    expect(wantsSnapshot([seg(0), seg(2)], 3, 10, policy)).toBe(true);
  });
});

describe("segmentsToDrop", () => {
  it("keeps everything young and small", () => {
    expect(segmentsToDrop([seg(0), seg(1), seg(2, { snapshot: true })], 1000, policy)).toEqual([]);
  });

  it("drops whole old runs, never the newest run", () => {
    const now = 30 * DAY;
    const segments = [
      seg(0, { last: 1 }),
      seg(1, { last: 2 }),
      seg(2, { snapshot: true, snapshotAt: 3, last: 4 }),
      seg(3, { snapshot: true, snapshotAt: now - 5, last: now - 1 }),
    ];
    expect(segmentsToDrop(segments, now, policy)).toEqual([0, 1, 2]);
    // Even very old, the last run stays.
    expect(segmentsToDrop([seg(0, { last: 1 }), seg(1, { last: 2 })], now, policy)).toEqual([]);
  });

  it("stops at the first run young enough (runs are in time order)", () => {
    const now = 20_000;
    const segments = [
      seg(0, { last: 1 }),
      seg(1, { snapshot: true, snapshotAt: 15_000, last: 15_000 }),
      seg(2, { snapshot: true, snapshotAt: 19_000, last: 19_000 }),
    ];
    expect(segmentsToDrop(segments, now, policy)).toEqual([0]);
  });

  it("drops the oldest runs while history is past its size cap", () => {
    const big = { bytes: 4000, last: 999 };
    const segments = [
      seg(0, big),
      seg(1, { ...big, snapshot: true, snapshotBytes: 500 }),
      seg(2, { ...big, snapshot: true, snapshotBytes: 500 }),
    ];
    // 13,000 bytes: dropping run 0 leaves 9,000.
    expect(segmentsToDrop(segments, 1000, policy)).toEqual([0]);
  });

  it("lets go of segments before the first run start (nothing can replay them)", () => {
    expect(segmentsToDrop([seg(3), seg(4, { snapshot: true, snapshotAt: 1 })], 1000, policy)).toEqual([3]);
  });
});
