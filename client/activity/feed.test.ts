import { describe, expect, it } from "vitest";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import { activityEntry, budi, sari } from "../../tests/fixtures/activity.ts";
import { type Actor, actorsOf, applyLive, filterPeople, noteActors, parseEntries, upsertEntries } from "./feed.ts";

const entry = (seq: number, patch: Partial<ActivityEntry> = {}) => activityEntry({ seq, ...patch });

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
      { id: "p-budi", name: "Budi", seq: 3 },
      { id: "p-sari", name: "Sari", seq: 2 },
    ]);
  });

  it("offers each person once in the filter, under their newest name (issue 10)", () => {
    const renamed = { ...budi, name: "Budi Santoso" };
    const known = new Map<string, Actor>();
    // The newest page first, then an older one: the older name must not come back.
    expect(noteActors(known, [entry(9, { actor: renamed }), entry(8, { actor: sari })])).toBe(true);
    expect(noteActors(known, [entry(3), entry(2)])).toBe(false);
    expect([...known.values()].map((a) => a.name)).toEqual(["Budi Santoso", "Sari"]);
    // A live entry under yet another name is newer still.
    noteActors(known, [entry(10, { actor: { ...budi, name: "Pak Budi" } })]);
    expect(known.get("p-budi")?.name).toBe("Pak Budi");

    // Here now under the name they use now; twice (two tabs) is still once; a wall screen is nobody to filter by.
    const people = filterPeople(
      [{ id: "p-budi", name: "Budi" }],
      [
        { id: "p-budi", name: "Budi Santoso" },
        { id: "p-budi", name: "Budi Santoso" },
        { id: "p-citra", name: "Citra" },
        { id: "w-1", name: "Wall view", screen: "wall" },
      ],
    );
    expect(people).toEqual([
      { id: "p-budi", name: "Budi Santoso" },
      { id: "p-citra", name: "Citra" },
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
