import { afterEach, describe, expect, it, vi } from "vitest";
import type { ActivityEntry } from "../../shared/activity/activity.ts";
import type { Author } from "../../shared/comments/comments.ts";
import { MemoryStore } from "../persistence/memory-store.ts";
import { MAX_ENTRIES, MAX_TEXT, PlanFeed } from "./feed.ts";

const ani: Author = { id: "p-ani", name: "Ani", role: "edit" };
const budi: Author = { id: "p-budi", name: "Budi", role: "edit" };
const feeds: PlanFeed[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const f of feeds.splice(0)) await f.close();
});

function feed(sent: ActivityEntry[][] = []): PlanFeed {
  const f = new PlanFeed("p1", new MemoryStore(), [], (entries) => sent.push(entries));
  feeds.push(f);
  return f;
}

const at = (s: number) => new Date(Date.UTC(2027, 0, 1, 9, 0, s));

describe("PlanFeed", () => {
  it("folds one person's successive reshapes of a territory into one entry", () => {
    const f = feed();
    f.record({ kind: "territory-reshaped", actor: ani, territoryId: "t1" }, { coalesce: true, now: at(0) });
    const again = f.record(
      { kind: "territory-reshaped", actor: ani, territoryId: "t1" },
      { coalesce: true, now: at(30) },
    );
    expect(f.size).toBe(1);
    expect(again).toMatchObject({ seq: 1, count: 2, at: at(0).toISOString(), lastAt: at(30).toISOString() });
  });

  it("starts a new entry when someone else touched the territory in between, or the window passed", () => {
    const f = feed();
    f.record({ kind: "territory-reshaped", actor: ani, territoryId: "t1" }, { coalesce: true, now: at(0) });
    f.record({ kind: "territory-reshaped", actor: budi, territoryId: "t1" }, { coalesce: true, now: at(1) });
    f.record({ kind: "territory-reshaped", actor: ani, territoryId: "t1" }, { coalesce: true, now: at(2) });
    expect(f.size).toBe(3);
    // Ani's own renames of another territory do not break her run on t1.
    f.record({ kind: "territory-renamed", actor: ani, territoryId: "t2" }, { coalesce: true, now: at(3) });
    f.record({ kind: "territory-reshaped", actor: ani, territoryId: "t1" }, { coalesce: true, now: at(4) });
    expect(f.size).toBe(4);
    f.record({ kind: "territory-reshaped", actor: ani, territoryId: "t1" }, { coalesce: true, now: at(4 + 180) });
    expect(f.size).toBe(5);
  });

  it("adds up one person's strokes into a territory: units, gained and lost, and a box over all of them", () => {
    const f = feed();
    const stroke = (gained: number, lost: number, box: [number, number, number, number], s: number) =>
      f.record(
        {
          kind: "territory-painted",
          actor: ani,
          territoryId: "t1",
          box,
          details: { count: gained + lost, gained, lost, before: null, after: null },
        },
        { coalesce: true, now: at(s) },
      );
    stroke(12, 0, [107, -7, 107.2, -6.9], 0);
    const again = stroke(0, 3, [107.5, -7.1, 107.6, -7], 20);
    expect(f.size).toBe(1);
    expect(again).toMatchObject({ count: 2, details: { count: 15, gained: 12, lost: 3 } });
    expect(again.box).toEqual([107, -7.1, 107.6, -6.9]);
    // A reshape's box is still the territory's latest outline, not a join.
    f.record(
      { kind: "territory-reshaped", actor: ani, territoryId: "t2", box: [1, 1, 2, 2] },
      { coalesce: true, now: at(21) },
    );
    const r = f.record(
      { kind: "territory-reshaped", actor: ani, territoryId: "t2", box: [1, 1, 1.5, 1.5] },
      { coalesce: true, now: at(22) },
    );
    expect(r.box).toEqual([1, 1, 1.5, 1.5]);
  });

  it("pages newest first with filters, and says where the next page starts", () => {
    const f = feed();
    for (let i = 0; i < 5; i++) {
      f.record({ kind: "territory-created", actor: i % 2 ? budi : ani, territoryId: `t${i}` }, { now: at(i) });
    }
    const first = f.page({ limit: 2 });
    expect(first.entries.map((e) => e.seq)).toEqual([5, 4]);
    expect(first.next).toBe(4);
    expect(f.page({ limit: 2, before: 4 }).entries.map((e) => e.seq)).toEqual([3, 2]);
    expect(f.page({ limit: 10, before: 2 })).toEqual({ entries: [expect.objectContaining({ seq: 1 })], next: null });
    expect(f.page({ person: "p-budi" }).entries.map((e) => e.seq)).toEqual([4, 2]);
    expect(f.page({ person: "p-budi", limit: 1 }).next).toBe(4);
    expect(f.page({ territory: "t3" }).entries.map((e) => e.seq)).toEqual([4]);
  });

  it("sends a burst of changes as one message, within a quarter second", async () => {
    vi.useFakeTimers();
    const sent: ActivityEntry[][] = [];
    const f = feed(sent);
    for (let i = 0; i < 20; i++)
      f.record({ kind: "territory-reshaped", actor: ani, territoryId: "t1" }, { coalesce: true });
    f.record({ kind: "territory-created", actor: budi, territoryId: "t2" });
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(250);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.map((e) => [e.seq, e.count])).toEqual([
      [1, 20],
      [2, 1],
    ]);
  });

  it("keeps the newest MAX_ENTRIES entries, numbering on", () => {
    const f = feed();
    for (let i = 0; i < MAX_ENTRIES + 5; i++) f.record({ kind: "territory-created", actor: ani, territoryId: `t${i}` });
    expect(f.size).toBe(MAX_ENTRIES);
    expect(f.page({ limit: 1 }).entries[0]?.seq).toBe(MAX_ENTRIES + 5);
    expect(f.page({ before: 7, limit: 10 }).entries.map((e) => e.seq)).toEqual([6]);
    expect(f.page({ before: 6 })).toEqual({ entries: [], next: null });
  });

  it("keeps at most a line of any text, whatever a plan's old data holds", () => {
    const f = feed();
    const huge = `a${" ".repeat(1_000_000)}`;
    const e = f.record({
      kind: "territory-renamed",
      actor: { ...ani, name: huge },
      territoryId: "t1",
      territoryName: huge,
      details: { from: huge, to: "Short" },
    });
    expect(JSON.stringify(e).length).toBeLessThan(1000);
    expect(e.territoryName).toHaveLength(MAX_TEXT);
    expect(e.details?.to).toBe("Short");
  });

  it("saves what it holds on close", async () => {
    const store = new MemoryStore();
    const f = new PlanFeed("p1", store, [], () => {});
    f.record({ kind: "territory-created", actor: ani, territoryId: "t1" });
    await f.close();
    expect(await store.getActivity("p1")).toHaveLength(1);
  });
});
