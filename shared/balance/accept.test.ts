import { describe, expect, it } from "vitest";
import { mulberry32 } from "../scoring/synthetic.ts";
import { movesToApply, type PendingMove } from "./accept.ts";
import { grid } from "./testing.ts";

/** A 4 × 3 grid: columns 0–1 "west", 2–3 "east". */
const graph = grid(4, 3);
const start = (): (string | null)[] => Array.from({ length: 12 }, (_, u) => (u % 4 < 2 ? "west" : "east"));
const has = (id: string) => id === "west" || id === "east";

describe("movesToApply", () => {
  it("applies every move when nothing changed", () => {
    // Column 2 goes west.
    const moves: PendingMove[] = [2, 6, 10].map((u) => ({ u, from: "east", to: "west" }));
    expect(movesToApply({ moves, current: start(), hasTerritory: has, graph, contiguous: true })).toEqual({
      apply: moves,
      skipped: [],
    });
  });

  it("skips a unit someone changed since the run started, and a move into a territory that is gone", () => {
    const current = start();
    current[6] = "west";
    const moves: PendingMove[] = [
      { u: 2, from: "east", to: "west" },
      { u: 6, from: "east", to: "west" },
      { u: 10, from: "east", to: "north" },
    ];
    const r = movesToApply({ moves, current, hasTerritory: has, graph, contiguous: true });
    expect(r.apply).toEqual([moves[0]]);
    expect(r.skipped).toEqual([
      { move: moves[1], reason: "stale" },
      { move: moves[2], reason: "gone" },
    ]);
  });

  it("leaves out a move that would now split its territory, and applies the others", () => {
    // Someone painted west down to a line across the middle row (4-5-6); the proposal gives 5 to east
    // (which split nothing when it ran) and 0 to west.
    const line: (string | null)[] = Array.from({ length: 12 }, () => "east");
    line[4] = "west";
    line[5] = "west";
    line[6] = "west";
    const moves: PendingMove[] = [
      { u: 5, from: "west", to: "east" },
      { u: 0, from: "east", to: "west" },
    ];
    const r = movesToApply({ moves, current: line, hasTerritory: has, graph, contiguous: true });
    expect(r.apply).toEqual([moves[1]]);
    expect(r.skipped).toEqual([{ move: moves[0], reason: "split" }]);
    // Without contiguity both apply.
    expect(movesToApply({ moves, current: line, hasTerritory: has, graph, contiguous: false }).apply).toEqual(moves);
  });

  it("never leaves a territory in more pieces than it is now, and skips exactly the changed units as stale", () => {
    const g = grid(7, 6);
    const ids = ["a", "b", "c"];
    for (let trial = 0; trial < 300; trial++) {
      const rnd = mulberry32(trial);
      const pick = () => ids[Math.floor(rnd() * ids.length)] as string;
      // Bands at the start; the proposal moves random units to a random territory.
      const started: (string | null)[] = Array.from(
        { length: 42 },
        (_, u) => ids[Math.floor(((u % 7) * 3) / 7)] as string,
      );
      const moves: PendingMove[] = [];
      for (let u = 0; u < 42; u++) if (rnd() < 0.3) moves.push({ u, from: started[u] ?? null, to: pick() });
      // Meanwhile people painted a few units.
      const current = [...started];
      for (let k = 0; k < 4; k++) current[Math.floor(rnd() * 42)] = pick();
      const r = movesToApply({ moves, current, hasTerritory: () => true, graph: g, contiguous: true });
      const stale = new Set(moves.filter((m) => current[m.u] !== m.from).map((m) => m.u));
      expect(new Set(r.skipped.filter((s) => s.reason === "stale").map((s) => s.move.u))).toEqual(stale);
      expect(r.apply.length + r.skipped.length).toBe(moves.length);
      const after = [...current];
      for (const m of r.apply) after[m.u] = m.to;
      for (const t of ids)
        expect(pieces(g, after, t), `trial ${trial} ${t}`).toBeLessThanOrEqual(Math.max(1, pieces(g, current, t)));
    }
  });
});

function pieces(g: { offsets: Int32Array; targets: Int32Array }, owner: (string | null)[], t: string): number {
  const seen = new Set<number>();
  let n = 0;
  owner.forEach((o, s) => {
    if (o !== t || seen.has(s)) return;
    n++;
    const stack = [s];
    seen.add(s);
    while (stack.length > 0) {
      const u = stack.pop() as number;
      for (let k = g.offsets[u] as number; k < (g.offsets[u + 1] as number); k++) {
        const v = g.targets[k] as number;
        if (owner[v] === t && !seen.has(v)) {
          seen.add(v);
          stack.push(v);
        }
      }
    }
  });
  return n;
}
