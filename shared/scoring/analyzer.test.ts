import { describe, expect, it } from "vitest";
import { areaKm2 } from "../geometry/area.ts";
import type { Position, Ring, TerritoryGeometry } from "../geometry/types.ts";
import { type Account, AccountIndex } from "./accounts.ts";
import { Analyzer, type ScoredTerritory } from "./analyzer.ts";
import { mulberry32, snappedGrid, syntheticAccounts } from "./synthetic.ts";
import type { Analysis, Issue } from "./types.ts";
import { box, closed } from "../../tests/fixtures/shapes.ts";

const territory = (id: string, geometry: TerritoryGeometry, targets: Record<string, number> = {}): ScoredTerritory => ({
  id,
  name: id.toUpperCase(),
  targets,
  geometry,
});
const account = (id: string, lon: number, lat: number, revenue = 0): Account => ({
  id,
  name: id,
  lon,
  lat,
  attrs: { revenue },
});

function analyze(territories: ScoredTerritory[], accounts: Account[], allowedDeviation = 0.15): Analysis {
  const analyzer = new Analyzer(new AccountIndex(accounts), { allowedDeviation });
  for (const t of territories) analyzer.setTerritory(t);
  return analyzer.analyze();
}

const issuesOf = (a: Analysis, kind: Issue["kind"]) => a.issues.filter((i) => i.kind === kind);

describe("Analyzer: metrics", () => {
  it("measures a 1°×1° square: area, perimeter, compactness, parts, accounts and sums", () => {
    const a = analyze(
      [territory("west", box(106, -7, 107, -6))],
      [account("in1", 106.5, -6.5, 100), account("in2", 106.1, -6.9, 50), account("out", 108, -6.5, 1000)],
    );
    const [t] = a.territories;
    expect(t?.accounts).toBe(2);
    expect(t?.sums).toEqual({ revenue: 150 });
    expect(t?.areaKm2).toBeCloseTo(areaKm2(box(106, -7, 107, -6)), 9);
    expect(t?.areaKm2).toBeCloseTo(12231.9, 0);
    expect(t?.perimeterKm).toBeCloseTo(2 * 110.6 + 110.5 + 110.4, -1);
    // Not a square on the ground (1° of latitude is shorter than 1° of longitude here), close to π/4.
    expect(t?.compactness).toBeCloseTo(Math.PI / 4, 2);
    expect(t?.parts).toBe(1);
    expect(t?.valid).toBe(true);
    expect(t?.vertices).toBe(4);
    expect(t?.at).toEqual([106.5, -6.5]);
    expect(t?.bbox).toEqual([106, -7, 107, -6]);
    expect(a.unassignedAccountIds).toEqual(["out"]);
    expect([...a.accountTerritory]).toEqual([0, 0, -1]);
  });

  it("counts an account inside a hole as outside", () => {
    const holed: TerritoryGeometry = {
      type: "Polygon",
      coordinates: [box(0, 0, 4, 4).coordinates[0] as Ring, box(1, 1, 3, 3).coordinates[0] as Ring],
    };
    const a = analyze([territory("t", holed)], [account("lake", 2, 2), account("shore", 0.5, 0.5)]);
    expect(a.territories[0]?.accounts).toBe(1);
    expect(a.unassignedAccountIds).toEqual(["lake"]);
  });
});

describe("Analyzer: issues", () => {
  it("reports a bow-tie as invalid geometry, an error at its crossing", () => {
    const bowTie: TerritoryGeometry = { type: "Polygon", coordinates: [closed([0, 0], [1, 1], [1, 0], [0, 1])] };
    const a = analyze([territory("bow", bowTie)], []);
    const [issue] = issuesOf(a, "invalid-geometry");
    expect(issue).toMatchObject({
      id: "invalid-geometry:bow",
      severity: "error",
      territoryIds: ["bow"],
      params: { territory: "BOW", problem: "self-intersection", intersections: 1 },
      message: "“BOW” has a boundary that crosses itself (1 point); redraw it so that it does not.",
    });
    expect(issue?.at[0]).toBeCloseTo(0.5, 12);
    expect(issue?.at[1]).toBeCloseTo(0.5, 12);
    expect(a.territories[0]?.valid).toBe(false);
  });

  it("reports too few points and zero area", () => {
    const line: TerritoryGeometry = { type: "Polygon", coordinates: [closed([0, 0], [1, 1], [2, 2])] };
    const two: TerritoryGeometry = { type: "Polygon", coordinates: [closed([0, 0], [1, 1], [1, 1])] };
    const a = analyze([territory("line", line), territory("two", two)], []);
    expect(issuesOf(a, "invalid-geometry").map((i) => [i.id, i.params.problem])).toEqual([
      ["invalid-geometry:line", "zero-area"],
      ["invalid-geometry:two", "too-few-points"],
    ]);
  });

  it("reports a two-part MultiPolygon as disconnected, parts = 2, pointing at the smaller part", () => {
    const mp: TerritoryGeometry = {
      type: "MultiPolygon",
      coordinates: [box(0, 0, 2, 2).coordinates as Ring[], box(5, 0, 5.5, 0.5).coordinates as Ring[]],
    };
    const a = analyze([territory("isles", mp)], []);
    expect(a.territories[0]?.parts).toBe(2);
    const [issue] = issuesOf(a, "disconnected");
    expect(issue).toMatchObject({
      id: "disconnected:isles",
      severity: "info",
      params: { territory: "ISLES", parts: 2 },
      message: "“ISLES” is in 2 separate parts.",
      at: [5.25, 0.25],
      bbox: [0, 0, 5.5, 2],
    });
  });

  it("finds no overlap between snapped neighbours sharing an edge", () => {
    const grid = snappedGrid({ cols: 3, rows: 3, seed: 2 });
    const a = analyze(grid, syntheticAccounts({ count: 2000, bbox: [106, -9, 111, -4], seed: 3 }));
    expect(issuesOf(a, "overlap")).toEqual([]);
    expect(a.overlapAccountIds).toEqual([]);
    expect(a.unassignedAccountIds).toEqual([]);
    expect(a.territories.reduce((s, t) => s + t.accounts, 0)).toBe(2000);
  });

  it("reports a vertex pushed strictly inside a neighbour as an overlap, with its area and geometry", () => {
    const west = territory("west", {
      type: "Polygon",
      coordinates: [closed([0, 0], [1, 0], [1.2, 0.5], [1, 1], [0, 1])],
    });
    const east = territory("east", box(1, 0, 2, 1));
    const a = analyze([west, east], [account("both", 1.1, 0.5), account("e", 1.5, 0.5)]);
    const [issue] = issuesOf(a, "overlap");
    // The triangle (1,0) (1.2,0.5) (1,1).
    const triangle: TerritoryGeometry = { type: "Polygon", coordinates: [closed([1, 0], [1.2, 0.5], [1, 1])] };
    expect(issue).toMatchObject({
      id: "overlap:east:west",
      severity: "error",
      territoryIds: ["east", "west"],
      accountIds: ["both"],
      params: { territory: "EAST", other: "WEST", accounts: 1 },
    });
    expect(issue?.areaKm2).toBeCloseTo(areaKm2(triangle), 6);
    expect(issue?.geometry && areaKm2(issue.geometry)).toBeCloseTo(areaKm2(triangle), 6);
    expect(issue?.message).toBe("“EAST” and “WEST” overlap by 1,231 km², and 1 account is counted in both.");
    // Counted in both, listed as a conflict.
    expect(a.territories.map((t) => [t.id, t.accounts, t.sharedAccounts])).toEqual([
      ["east", 2, 1],
      ["west", 1, 1],
    ]);
    expect(a.overlapAccountIds).toEqual(["both"]);
    expect([...a.accountTerritory]).toEqual([-2, 0]);
    expect(a.totals).toEqual({ territories: 2, accounts: 2, unassigned: 0, overlapping: 1 });
  });

  it("gives the known area of two squares overlapping by a 0.5° × 1° rectangle", () => {
    const a = analyze([territory("a", box(106, -7, 107, -6)), territory("b", box(106.5, -7, 107.5, -6))], []);
    const [issue] = issuesOf(a, "overlap");
    expect(issue?.areaKm2).toBeCloseTo(areaKm2(box(106.5, -7, 107, -6)), 6);
    expect(issue?.bbox).toEqual([106.5, -7, 107, -6]);
    expect(issue?.at).toEqual([106.75, -6.5]);
  });

  it("reports unassigned accounts once, with their count, a capped list and where they are", () => {
    const accounts = [account("in", 0.5, 0.5)];
    for (let i = 0; i < 150; i++)
      accounts.push(account(`gap${i}`, 2 + (i % 10) * 0.01, 0.5 + Math.floor(i / 10) * 0.01));
    const a = analyze([territory("t", box(0, 0, 1, 1))], accounts);
    const [issue] = issuesOf(a, "unassigned-accounts");
    expect(issue).toMatchObject({
      id: "unassigned-accounts",
      severity: "warning",
      territoryIds: [],
      params: { accounts: 150, total: 151 },
      message: "150 accounts (99% of all) are in no territory.",
    });
    expect(issue?.accountIds).toHaveLength(100);
    expect(issue?.bbox[0]).toBeCloseTo(2, 12);
    expect(issue?.bbox[3]).toBeCloseTo(0.64, 12);
    expect(a.unassignedAccountIds).toHaveLength(150);
  });

  it("reports deviations from the mean and from a target, warning beyond ±allowed, error beyond twice it", () => {
    const accounts: Account[] = [];
    const put = (prefix: string, x: number, n: number) => {
      for (let i = 0; i < n; i++) accounts.push(account(`${prefix}${i}`, x + 0.5, 0.1 + i * 0.001, 10));
    };
    put("a", 0, 12); // 12 accounts
    put("b", 1, 8); // 8
    put("c", 2, 10); // 10, target 5
    const a = analyze(
      [
        territory("a", box(0, 0, 1, 1)),
        territory("b", box(1, 0, 2, 1)),
        territory("c", box(2, 0, 3, 1), { accounts: 5 }),
      ],
      accounts,
    );
    expect(a.territories.map((t) => t.deviations.accounts)).toEqual([0.2, -0.2, 1]);
    expect(a.territories.map((t) => t.referenceSources.accounts)).toEqual(["mean", "mean", "target"]);
    expect(a.territories.map((t) => t.levels.accounts)).toEqual(["warning", "warning", "error"]);
    const dev = issuesOf(a, "deviation").filter((i) => i.params.metric === "accounts");
    expect(dev.map((i) => [i.id, i.severity])).toEqual([
      ["deviation:c:accounts", "error"],
      ["deviation:a:accounts", "warning"],
      ["deviation:b:accounts", "warning"],
    ]);
    expect(dev[1]?.message).toBe("“A” has 20% more accounts than the plan average (12 against 10; allowed ±15%).");
    expect(dev[0]?.message).toBe("“C” has 100% more accounts than its target (10 against 5; allowed ±15%).");
    expect(dev[2]?.params).toMatchObject({ direction: "below", reference: 10, value: 8, source: "mean" });
    // Balance: accounts and revenue (= 10 × accounts) both have deviations +0.2, −0.2, 1 → RMS √(1.08/3).
    const rms = Math.sqrt((0.04 + 0.04 + 1) / 3);
    expect(a.balance.metrics.accounts?.score).toBeCloseTo(100 / (1 + rms), 10);
    expect(a.balance.metricNames).toEqual(["accounts", "revenue"]);
    // revenue has no target: mean 100 → 120, 80, 100
    expect(a.territories.map((t) => t.deviations.revenue)).toEqual([0.2, -0.2, 0]);
    expect(a.balance.score).toBeCloseTo((100 / (1 + rms) + 100 / (1 + Math.sqrt(0.08 / 3))) / 2, 10);
  });

  it("sorts issues: errors first, then kind, then id", () => {
    const bowTie: TerritoryGeometry = { type: "Polygon", coordinates: [closed([5, 5], [6, 6], [6, 5], [5, 6])] };
    const a = analyze(
      [territory("b", box(0, 0, 1, 1)), territory("a", box(0.5, 0, 1.5, 1)), territory("z", bowTie)],
      [account("x", 10, 10)],
    );
    // The one account is outside every territory: each has none of its fair
    // share (1/3 of an account), so each deviates too.
    expect(a.issues.map((i) => [i.id, i.severity])).toEqual([
      ["invalid-geometry:z", "error"],
      ["overlap:a:b", "error"],
      ["deviation:a:accounts", "error"],
      ["deviation:b:accounts", "error"],
      ["deviation:z:accounts", "error"],
      ["unassigned-accounts", "warning"],
    ]);
    expect(a.issues[0]?.severity).toBe("error");
  });

  it("scores areaKm2 when asked, and leaves unknown metric names out", () => {
    const analyzer = new Analyzer(new AccountIndex([]), {
      allowedDeviation: 0.15,
      balanceMetrics: ["areaKm2", "nope"],
    });
    analyzer.setTerritory(territory("a", box(0, 0, 1, 1)));
    analyzer.setTerritory(territory("b", box(1, 0, 3, 1)));
    const a = analyzer.analyze();
    expect(a.balance.metricNames).toEqual(["areaKm2"]);
    expect(a.territories[0]?.deviations.areaKm2).toBeCloseTo(-1 / 3, 6);
    expect(issuesOf(a, "deviation").map((i) => i.id)).toEqual(["deviation:a:areaKm2", "deviation:b:areaKm2"]);
  });
});

describe("Analyzer: pins", () => {
  const accounts = [account("p", 0.5, 0.5, 7), account("q", 0.6, 0.5, 3), account("far", 9, 9, 1)];
  it("counts a pinned account only in its pinned territory, wherever it lies", () => {
    const analyzer = new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
    analyzer.setTerritory(territory("a", box(0, 0, 1, 1)));
    analyzer.setTerritory(territory("b", box(1, 0, 2, 1)));
    analyzer.setPins(
      new Map([
        ["p", "b"],
        ["far", "a"],
        ["ghost", "a"],
        ["q", "nowhere"],
      ]),
    );
    const r = analyzer.analyze();
    expect(r.territories.map((t) => [t.id, t.accounts, t.sums.revenue])).toEqual([
      ["a", 2, 4],
      ["b", 1, 7],
    ]);
    expect(r.unassignedAccountIds).toEqual([]);
    expect([...r.accountTerritory]).toEqual([1, 0, 0]);
    expect(analyzer.territoriesOfAccount("p")).toEqual(["b"]);
    // Removing the pinned territory: the pin no longer holds, the account falls back to containment.
    analyzer.removeTerritory("b");
    const r2 = analyzer.analyze();
    expect(r2.territories.map((t) => [t.id, t.accounts])).toEqual([["a", 3]]);
  });

  it("does not report a pinned account in an overlap as a conflict", () => {
    const analyzer = new Analyzer(new AccountIndex(accounts), { allowedDeviation: 0.15 });
    analyzer.setTerritory(territory("a", box(0, 0, 1, 1)));
    analyzer.setTerritory(territory("b", box(0.4, 0, 2, 1)));
    let r = analyzer.analyze();
    expect(r.overlapAccountIds).toEqual(["p", "q"]);
    expect(analyzer.territoriesOfAccount("p")).toEqual(["a", "b"]);
    analyzer.setPins(new Map([["p", "a"]]));
    r = analyzer.analyze();
    expect(r.overlapAccountIds).toEqual(["q"]);
    expect(r.issues.find((i) => i.kind === "overlap")?.accountIds).toEqual(["q"]);
    expect(r.territories.map((t) => [t.id, t.accounts, t.sharedAccounts])).toEqual([
      ["a", 2, 1],
      ["b", 1, 1],
    ]);
  });
});

describe("Analyzer: incremental", () => {
  it("updates only names and messages on a rename, and drops a removed territory's accounts", () => {
    const analyzer = new Analyzer(new AccountIndex([account("x", 0.5, 0.5)]), { allowedDeviation: 0.15 });
    const bowTie: TerritoryGeometry = { type: "Polygon", coordinates: [closed([0, 0], [1, 1], [1, 0], [0, 1])] };
    analyzer.setTerritory(territory("t", bowTie));
    expect(analyzer.analyze().issues[0]?.message).toContain("“T”");
    analyzer.setTerritory({ ...territory("t", bowTie), name: "Bandung" });
    expect(analyzer.analyze().issues[0]?.message).toContain("“Bandung”");
    analyzer.setTerritory(territory("t", box(0, 0, 1, 1)));
    expect(analyzer.analyze().unassignedAccountIds).toEqual([]);
    analyzer.removeTerritory("t");
    analyzer.removeTerritory("unknown");
    const r = analyzer.analyze();
    expect(r.territories).toEqual([]);
    expect(r.unassignedAccountIds).toEqual(["x"]);
    expect(r.balance).toMatchObject({ score: null, empty: true });
  });

  it("sees an edit made by mutating the caller's geometry in place", () => {
    const g = box(0, 0, 1, 1) as TerritoryGeometry & { type: "Polygon" };
    const analyzer = new Analyzer(new AccountIndex([account("x", 1.5, 0.5)]), { allowedDeviation: 0.15 });
    analyzer.setTerritory(territory("t", g));
    expect(analyzer.analyze().territories[0]?.accounts).toBe(0);
    const ring = g.coordinates[0] as Ring;
    (ring[1] as Position)[0] = 2;
    (ring[2] as Position)[0] = 2;
    analyzer.setTerritory(territory("t", g));
    expect(analyzer.analyze().territories[0]?.accounts).toBe(1);
  });

  it("after random edits of a snapped grid, gives exactly what a fresh Analyzer gives (seeded property test)", () => {
    const rnd = mulberry32(20240601);
    const bbox: [number, number, number, number] = [106, -8, 108, -6];
    const accounts = syntheticAccounts({ count: 3000, bbox, towns: 8, seed: 5 });
    // A few accounts outside the grid, so there is always something unassigned to track.
    for (let i = 0; i < 20; i++) accounts.push(account(`out${i}`, 108.1 + i * 0.01, -7));
    const index = new AccountIndex(accounts);
    const settings = { allowedDeviation: 0.15 };
    const current = new Map<string, ScoredTerritory>();
    for (const t of snappedGrid({ cols: 4, rows: 4, bbox, edgeVertices: [4, 10], seed: 8 })) current.set(t.id, t);
    const removed: ScoredTerritory[] = [];
    let pins = new Map<string, string>();
    const incremental = new Analyzer(index, settings);
    for (const t of current.values()) incremental.setTerritory(t);
    incremental.analyze();

    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const kinds = new Map<string, number>();
    for (let step = 0; step < 120; step++) {
      const ids = [...current.keys()].sort();
      const r = rnd();
      let kind: string;
      if (r < 0.45 && ids.length > 0) {
        // Move a vertex (shared with a neighbour or not): creates overlaps, gaps, sometimes crossings.
        kind = "move";
        const t = current.get(pick(ids)) as ScoredTerritory;
        const ring = ((t.geometry as TerritoryGeometry & { type: "Polygon" }).coordinates[0] as Ring).map(
          (p) => [...p] as Position,
        );
        const k = Math.floor(rnd() * (ring.length - 1));
        const step_ = rnd() < 0.2 ? 0.3 : 0.03;
        ring[k] = [(ring[k] as Position)[0] + (rnd() - 0.5) * step_, (ring[k] as Position)[1] + (rnd() - 0.5) * step_];
        if (k === 0) ring[ring.length - 1] = [...(ring[0] as Position)];
        const next = { ...t, geometry: { type: "Polygon" as const, coordinates: [ring] } };
        current.set(t.id, next);
        incremental.setTerritory(next);
      } else if (r < 0.55 && ids.length > 2) {
        kind = "remove";
        const id = pick(ids);
        removed.push(current.get(id) as ScoredTerritory);
        current.delete(id);
        incremental.removeTerritory(id);
      } else if (r < 0.65 && removed.length > 0) {
        kind = "restore";
        const t = removed.splice(Math.floor(rnd() * removed.length), 1)[0] as ScoredTerritory;
        current.set(t.id, t);
        incremental.setTerritory(t);
      } else if (r < 0.75 && ids.length > 0) {
        kind = "props";
        const t = current.get(pick(ids)) as ScoredTerritory;
        const targets: Record<string, number> = rnd() < 0.5 ? { revenue: 1e6 * rnd() } : {};
        const next = { ...t, name: `${t.name}'`, targets };
        current.set(t.id, next);
        incremental.setTerritory(next);
      } else if (r < 0.85) {
        kind = "pins";
        pins = new Map(pins);
        pins.set(pick(accounts).id, rnd() < 0.8 && ids.length > 0 ? pick(ids) : "ghost");
        if (rnd() < 0.3 && pins.size > 0) pins.delete(pick([...pins.keys()]));
        incremental.setPins(pins);
      } else {
        kind = "copy"; // a new territory overlapping others
        const src = current.get(pick(ids.length ? ids : [...current.keys()])) ?? (removed[0] as ScoredTerritory);
        const dx = (rnd() - 0.5) * 0.4;
        const geometry: TerritoryGeometry = {
          type: "Polygon",
          coordinates: [
            ((src.geometry.coordinates[0] as Ring) ?? []).map((p) => [(p as Position)[0] + dx, (p as Position)[1]]),
          ],
        };
        const t = { id: `n${step}`, name: `New ${step}`, targets: {}, geometry };
        current.set(t.id, t);
        incremental.setTerritory(t);
      }
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (step % 3 !== 2) continue; // several edits between analyses, as a debounced server does
      const got = incremental.analyze();
      const fresh = new Analyzer(index, settings);
      for (const t of current.values()) fresh.setTerritory(t);
      fresh.setPins(pins);
      const want = fresh.analyze();
      expect(got, `after step ${step} (${kind})`).toEqual(want);
    }
    // The walk went through every kind of edit, and reached overlaps and unassigned accounts.
    expect([...kinds.keys()].sort()).toEqual(["copy", "move", "pins", "props", "remove", "restore"]);
    const last = incremental.analyze();
    expect(last.issues.some((i) => i.kind === "overlap")).toBe(true);
    expect(last.unassignedAccountIds.length).toBeGreaterThan(0);
  });
});
