import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { Timeline, type TimelineUpdate } from "./timeline.ts";

/** A session: `n` edits to map "m" by two people, one every second from t = 1000. */
function session(n: number, base?: Y.Doc): { updates: TimelineUpdate[]; states: unknown[] } {
  const doc = base ?? new Y.Doc();
  const updates: TimelineUpdate[] = [];
  const states: unknown[] = [doc.getMap("m").toJSON()];
  let at = 1000;
  doc.on("update", (u: Uint8Array) => updates.push({ at, by: null, update: u }));
  for (let i = 0; i < n; i++) {
    at = 1000 + i * 1000;
    const m = doc.getMap("m");
    if (i % 7 === 6) m.delete(`k${(i - 1) % 20}`);
    else m.set(`k${i % 20}`, i);
    states.push(m.toJSON());
  }
  return { updates, states };
}

describe("Timeline", () => {
  it("builds the document as it was after any number of updates, from keyframes", () => {
    const { updates, states } = session(500);
    const t = new Timeline(null, updates, { keyframeEvery: 37 });
    expect(t.keyframeCount).toBeGreaterThan(10);
    for (const n of [0, 1, 36, 37, 38, 250, 499, 500]) {
      expect(t.build(n).getMap("m").toJSON()).toEqual(states[n]);
      expect(t.buildFromStart(n).getMap("m").toJSON()).toEqual(states[n]);
    }
  });

  it("counts the updates at or before a moment", () => {
    const { updates } = session(10);
    const t = new Timeline(null, updates);
    expect(t.countAt(999)).toBe(0);
    expect(t.countAt(1000)).toBe(1);
    expect(t.countAt(5500)).toBe(5);
    expect(t.countAt(1e12)).toBe(10);
    expect(t.start).toBe(1000);
    expect(t.end).toBe(10_000);
  });

  it("starts from the server's snapshot when history does not start empty", () => {
    const base = new Y.Doc();
    base.getMap("m").set("before", true);
    const snapshot = { at: 500, state: Y.encodeStateAsUpdate(base) };
    const { updates, states } = session(30, base);
    const t = new Timeline(snapshot, updates, { keyframeEvery: 8 });
    expect(t.start).toBe(500);
    expect(t.build(0).getMap("m").toJSON()).toEqual({ before: true });
    expect(t.build(17).getMap("m").toJSON()).toEqual(states[17]);
  });

  it("plays forward onto the document shown", () => {
    const { updates, states } = session(100);
    const t = new Timeline(null, updates, { keyframeEvery: 10 });
    const doc = t.build(12);
    t.advance(doc, 12, 55);
    expect(doc.getMap("m").toJSON()).toEqual(states[55]);
    t.advance(doc, 55, 100);
    expect(doc.getMap("m").toJSON()).toEqual(states[100]);
  });
});
