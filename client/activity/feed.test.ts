import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import { actorsOf, applyLive, parseEntries, upsertEntries } from "./feed.ts";

const budi = { id: "p-budi", name: "Budi", role: "edit" as const };
const sari = { id: "p-sari", name: "Sari", role: "comment" as const };

function entry(seq: number, patch: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    seq,
    kind: "territory-reshaped",
    actor: budi,
    at: "2025-01-01T10:00:00Z",
    lastAt: "2025-01-01T10:00:00Z",
    count: 1,
    territoryId: "t1",
    territoryName: "Jakarta Utara",
    ...patch,
  };
}

describe("feed list", () => {
  it("adds new entries newest first", () => {
    const list = upsertEntries([entry(2), entry(1)], [entry(4), entry(3)]);
    expect(list.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
  });

  it("replaces an entry the server updated in place (coalesced reshapes)", () => {
    const list = upsertEntries([entry(2), entry(1)], [entry(2, { count: 5, lastAt: "2025-01-01T10:01:00Z" })]);
    expect(list.map((e) => [e.seq, e.count])).toEqual([
      [2, 5],
      [1, 1],
    ]);
  });

  it("keeps the same array when a resend changes nothing", () => {
    const list = [entry(2), entry(1)];
    expect(upsertEntries(list, [entry(2)])).toBe(list);
    expect(upsertEntries(list, [])).toBe(list);
  });

  it("appends an older page below, without duplicates when pages overlap live entries", () => {
    const list = upsertEntries([entry(9), entry(8)], [entry(8), entry(7), entry(6)]);
    expect(list.map((e) => e.seq)).toEqual([9, 8, 7, 6]);
  });

  it("applies live entries under a filter", () => {
    const list = [entry(2, { actor: sari, kind: "comment-added" }), entry(1, { actor: sari })];
    const next = applyLive(list, [entry(3), entry(4, { actor: sari })], { person: "p-sari" });
    expect(next.map((e) => e.seq)).toEqual([4, 2, 1]);
    // An update of a shown entry that no longer passes the filter takes it out.
    const moved = applyLive(next, [entry(2, { actor: sari, territoryId: "t2" })], {
      person: "p-sari",
      territory: "t1",
    });
    expect(moved.map((e) => e.seq)).toEqual([4, 1]);
  });

  it("lists the actors, one per id", () => {
    expect(actorsOf([entry(3), entry(2, { actor: sari }), entry(1)])).toEqual([
      { id: "p-budi", name: "Budi" },
      { id: "p-sari", name: "Sari" },
    ]);
  });

  it("leaves out malformed entries from the network", () => {
    expect(
      parseEntries({ entries: [entry(1), { seq: "x" }, null, { seq: 2, kind: "x", at: "", actor: null }] }),
    ).toHaveLength(1);
    expect(parseEntries(null)).toEqual([]);
    expect(parseEntries({ entries: "nope" })).toEqual([]);
  });
});
