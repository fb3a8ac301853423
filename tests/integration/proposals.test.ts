import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import type { ActivityEntry, ActivityPage } from "../../shared/activity/activity.ts";
import type { Proposal } from "../../shared/balance/proposal.ts";
import { readUnitAssignment, readUnitsVersion } from "../../shared/doc/schema.ts";
import { unitKey } from "../../shared/units/layer.ts";
import { strokeUpdate } from "../fixtures/remote-edit.ts";
import { box } from "../fixtures/shapes.ts";
import {
  type CreatedPlan,
  connectStockClient,
  createPlanWithLinks,
  eventually,
  type LinkRole,
  serversPerTest,
  useServer,
  WEST_AND_EAST,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/**
 * Auto-balance over REST and sockets (issue 13): a manager asks for a
 * fairer split, everyone watches it run (message 23), a manager accepts it
 * (the moves arrive at every client as one change, one feed entry) and may
 * take it back; commenters and viewers only read.
 */

const server = useServer();

type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/** REST calls on a plan with one of its links. */
function as(plan: CreatedPlan, role: LinkRole, target: { url: string } = server): Call {
  return async (method, path, body) => {
    const res = await fetch(`${target.url}/api/plans/${plan.id}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${plan.tokens[role]}`,
        "x-wilayah-name": encodeURIComponent(role === "edit" ? "Siti" : "Rep"),
        ...(body === undefined ? {} : { "content-type": typeof body === "string" ? "text/csv" : "application/json" }),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  };
}

/**
 * Two drawn territories near Bandung, West and East of 107.6°E, made into a
 * plan of hexagons (about 45 at resolution 7): West holds 24 accounts of
 * revenue 10, East 4, so West has six times East's revenue.
 */
async function unitPlan(target: { url: string } = server) {
  const plan = await createPlanWithLinks(target, "Bandung balance");
  const siti = as(plan, "edit", target);
  expect((await siti("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
  const rows = ["id,lat,lon,revenue"];
  for (let i = 0; i < 24; i++) rows.push(`w${i},${-6.99 + (i % 6) * 0.016},${107.505 + Math.floor(i / 6) * 0.024},10`);
  for (let i = 0; i < 4; i++) rows.push(`e${i},${-6.95 + i * 0.01},${107.65},10`);
  expect((await siti("POST", "/accounts", rows.join("\n"))).status).toBe(201);
  expect((await siti("POST", "/units", { kind: "h3", resolution: 7, area: "territories" })).status).toBe(201);
  const layer = (await siti("GET", "/units")).body as unknown as { features: { id: string }[] };
  const ids = layer.features.map((f) => f.id);
  /** A unit's document key from its id: the layer's order is the keys' order. */
  const keyOf = (unitId: string) => unitKey(ids.indexOf(unitId));
  return { plan, siti, ids, keyOf };
}

/** Waits until the proposal has ended (ready, stopped or failed) and returns it. */
async function ended(call: Call, id: string, timeoutMs = 30_000): Promise<Proposal> {
  return eventually(
    async () => {
      const r = await call("GET", `/proposals/${id}`);
      expect(r.status).toBe(200);
      expect(r.body.status).not.toBe("running");
      return r.body as unknown as Proposal;
    },
    timeoutMs,
    100,
  );
}

async function socketOf(plan: CreatedPlan, role: LinkRole): Promise<RawClient> {
  const client = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, role);
  await eventually(() => expect(client.synced).toBe(true));
  return client;
}

/** One stroke from a socket, as the client's paint tool sends it. */
function paint(client: RawClient, entries: [string, string | null][]): void {
  client.sendUpdate(strokeUpdate(client.doc, entries));
}

async function feed(plan: CreatedPlan): Promise<ActivityEntry[]> {
  const res = await fetch(`${server.url}/api/plans/${plan.id}/activity?limit=200&token=${plan.tokens.view}`);
  return ((await res.json()) as ActivityPage).entries;
}

interface AnalysisBody {
  balance: { score: number };
  territories: { id: string; sums: Record<string, number>; accounts: number }[];
}

describe("auto-balance proposals", () => {
  it("runs a proposal over REST, and a stock y-websocket client sees the accepted moves arrive as one change", async () => {
    const { plan, siti, keyOf } = await unitPlan();
    const watcher = connectStockClient(server, plan.id, "view");
    try {
      await eventually(() => expect(readUnitsVersion(watcher.doc)).toBe(1));
      const before = (await siti("GET", "/analysis")).body as unknown as AnalysisBody;

      const started = await siti("POST", "/proposals", { metrics: { revenue: 1 }, seconds: 1 });
      expect(started.status).toBe(202);
      const id = started.body.id as string;
      expect(id).toMatch(/^p-/);

      const p = await ended(siti, id);
      expect(p).toMatchObject({
        id,
        status: "ready",
        progress: 1,
        by: { name: "Siti", role: "edit" },
        settings: { metrics: { revenue: 1 }, contiguous: true, seconds: 1, seed: 42 },
        stale: [],
        error: null,
      });
      expect(p.moves.length).toBeGreaterThan(0);
      for (const m of p.moves) expect(m).toEqual({ unit: expect.any(String), from: "west", to: "east" });
      // Before is the plan as the analysis had it: about six times more revenue in West.
      const revenue = (id: string) => before.territories.find((t) => t.id === id)?.sums.revenue as number;
      expect(revenue("west")).toBeGreaterThan(4 * revenue("east"));
      expect(p.before?.territories).toEqual({ west: { revenue: revenue("west") }, east: { revenue: revenue("east") } });
      expect(p.before?.score).toBeCloseTo(before.balance.score, 6);
      const after = p.after?.territories as Record<string, { revenue: number }>;
      const total = revenue("west") + revenue("east");
      expect((after.west?.revenue ?? 0) + (after.east?.revenue ?? 0)).toBe(total);
      expect(Math.abs((after.west?.revenue ?? 0) - total / 2)).toBeLessThanOrEqual(20);
      expect(p.after?.score).toBeGreaterThan(p.before?.score ?? 100);
      expect(p.accountsMoved).toBe((revenue("west") - (after.west?.revenue ?? 0)) / 10);
      expect(p.granularity.revenue).toBeGreaterThan(0);

      const list = (await siti("GET", "/proposals")).body.proposals as Proposal[];
      expect(list.map((x) => x.id)).toContain(id);

      const transactions: number[] = [];
      watcher.doc.on("afterTransaction", (tr: Y.Transaction) => {
        if (tr.changed.size > 0) transactions.push(1);
      });
      const accepted = await siti("POST", `/proposals/${id}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({ applied: p.moves.length, skipped: [] });
      await eventually(() => {
        const units = readUnitAssignment(watcher.doc);
        for (const m of p.moves) expect(units.get(keyOf(m.unit))).toBe("east");
      });
      // One change for everyone, not one per unit.
      expect(transactions).toHaveLength(1);

      // Accepting gives what the proposal said it would.
      const now = (await siti("GET", "/analysis")).body as unknown as AnalysisBody;
      for (const t of now.territories) expect(t.sums.revenue).toBe(after[t.id]?.revenue);
      expect(now.balance.score).toBeCloseTo(p.after?.score ?? 0, 6);
      expect((await siti("GET", `/proposals/${id}`)).body).toMatchObject({
        status: "accepted",
        accepted: { by: { name: "Siti" }, applied: p.moves.length, skipped: [] },
      });

      // One feed entry with the score change, and no paint strokes.
      const entries = await eventually(async () => {
        const e = await feed(plan);
        expect(e[0]?.kind).toBe("proposal-accepted");
        return e;
      });
      expect(entries[0]?.details).toMatchObject({
        count: p.moves.length,
        skipped: 0,
        proposalId: id,
        score: { after: expect.any(Number) },
      });
      expect(entries[0]?.details?.score?.before).toBeCloseTo(before.balance.score, 6);
      expect(entries.filter((e) => e.kind === "territory-painted")).toEqual([]);

      // Accepted once.
      expect((await siti("POST", `/proposals/${id}/accept`)).status).toBe(409);
      expect((await siti("DELETE", `/proposals/${id}`)).status).toBe(409);
    } finally {
      watcher.destroy();
    }
  });

  it("streams its start, progress and end to every socket, and stop keeps the best so far", async () => {
    const { plan, siti } = await unitPlan();
    const leader = await socketOf(plan, "view");
    try {
      const started = await siti("POST", "/proposals", { metrics: ["revenue"], seconds: 30 });
      expect(started.status).toBe(202);
      const id = started.body.id as string;
      // A second one while it runs is refused.
      const second = await siti("POST", "/proposals", { metrics: ["revenue"] });
      expect(second.status).toBe(409);
      expect(second.body.error).toContain("already running");

      const progress = await eventually(() => {
        const p = leader.proposals.filter((x) => x.id === id && x.status === "running" && x.progress > 0);
        expect(p.length).toBeGreaterThan(0);
        return p[p.length - 1];
      });
      expect(progress?.best?.maxDeviation).toEqual(expect.any(Number));
      expect(progress?.by.name).toBe("Siti");
      expect(leader.proposals.find((x) => x.id === id)?.progress).toBe(0);

      const stopped = await siti("POST", `/proposals/${id}/stop`);
      expect(stopped.status).toBe(200);
      expect(stopped.body).toMatchObject({ id, status: "stopped", progress: 1 });
      const p = stopped.body as unknown as Proposal;
      expect(p.moves.length).toBeGreaterThan(0);
      expect(p.after?.score).toBeGreaterThan(p.before?.score ?? 100);
      await eventually(() => expect(leader.proposals.some((x) => x.id === id && x.status === "stopped")).toBe(true));
      const summary = leader.proposals.filter((x) => x.id === id).pop();
      expect(summary).toMatchObject({ moveCount: p.moves.length, score: { before: p.before?.score } });
      expect(summary).not.toHaveProperty("moves");

      // Stopping twice is a 409; a stopped proposal can still be accepted.
      expect((await siti("POST", `/proposals/${id}/stop`)).status).toBe(409);
      const accepted = await siti("POST", `/proposals/${id}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body.applied).toBe(p.moves.length);

      // A socket that joins later is told about every proposal.
      const late = await socketOf(plan, "comment");
      try {
        await eventually(() => expect(late.proposals.find((x) => x.id === id)?.status).toBe("accepted"));
      } finally {
        late.close();
      }
    } finally {
      leader.close();
    }
  });

  it("skips a unit painted by a socket after the run started, and undo takes back only what nobody changed since", async () => {
    const { plan, siti, keyOf } = await unitPlan();
    const ani = await socketOf(plan, "edit");
    // Sees what the server applied: Ani's strokes once stored, and the accepted moves.
    const watch = await socketOf(plan, "view");
    try {
      const id = (await siti("POST", "/proposals", { metrics: { revenue: 1 }, seconds: 1 })).body.id as string;
      // Ani takes a unit of West out of every territory while it runs (it is among the moves, or not: both must hold).
      const westKeys = [...readUnitAssignment(ani.doc)].filter(([, t]) => t === "west").map(([k]) => k);
      expect(westKeys.length).toBeGreaterThan(5);
      const p = await ended(siti, id);
      expect(p.moves.length).toBeGreaterThan(2);
      const changed = p.moves[p.moves.length - 1]?.unit as string;
      paint(ani, [[keyOf(changed), null]]);
      await eventually(() => expect(readUnitAssignment(watch.doc).has(keyOf(changed))).toBe(false));
      expect(((await siti("GET", `/proposals/${id}`)).body as unknown as Proposal).stale).toEqual([changed]);

      const accepted = await siti("POST", `/proposals/${id}/accept`);
      expect(accepted.status).toBe(200);
      const skipped = accepted.body.skipped as { unit: string; reason: string }[];
      expect(skipped).toContainEqual({ unit: changed, reason: "stale" });
      const applied = accepted.body.applied as number;
      expect(applied + skipped.length).toBe(p.moves.length);
      const moved = p.moves.filter((m) => !skipped.some((s) => s.unit === m.unit)).map((m) => m.unit);
      await eventually(() => {
        const units = readUnitAssignment(watch.doc);
        expect(units.has(keyOf(changed))).toBe(false);
        for (const unit of moved) expect(units.get(keyOf(unit))).toBe("east");
      });

      // Ani paints one of the accepted units back into West; undo leaves that one as Ani left it.
      const repainted = moved[0] as string;
      paint(ani, [[keyOf(repainted), "west"]]);
      await eventually(() => expect(readUnitAssignment(watch.doc).get(keyOf(repainted))).toBe("west"));

      const undone = await siti("POST", `/proposals/${id}/undo`);
      expect(undone.status).toBe(200);
      expect(undone.body).toEqual({ reverted: applied - 1, kept: [repainted] });
      await eventually(() => {
        const units = readUnitAssignment(watch.doc);
        expect(units.has(keyOf(changed))).toBe(false);
        for (const unit of moved) expect(units.get(keyOf(unit))).toBe("west");
      });
      const entry = await eventually(async () => {
        const e = (await feed(plan)).find((x) => x.kind === "proposal-undone");
        expect(e).toBeTruthy();
        return e as ActivityEntry;
      });
      expect(entry.details).toMatchObject({ count: applied - 1, kept: 1, proposalId: id });
      expect((await siti("GET", `/proposals/${id}`)).body).toMatchObject({
        status: "accepted",
        undone: { reverted: applied - 1, kept: [repainted] },
      });
      expect((await siti("POST", `/proposals/${id}/undo`)).status).toBe(409);
    } finally {
      ani.close();
      watch.close();
    }
  });

  it("lets comment and view links read proposals, never start, stop, discard, accept or undo them", async () => {
    const { plan, siti } = await unitPlan();
    const id = (await siti("POST", "/proposals", { metrics: { revenue: 1 }, seconds: 1 })).body.id as string;
    await ended(siti, id);
    for (const role of ["comment", "view"] as const) {
      const rep = as(plan, role);
      for (const [method, path] of [
        ["POST", "/proposals"],
        ["POST", `/proposals/${id}/stop`],
        ["DELETE", `/proposals/${id}`],
        ["POST", `/proposals/${id}/accept`],
        ["POST", `/proposals/${id}/undo`],
      ] as const) {
        const r = await rep(
          method,
          path,
          method === "POST" && path === "/proposals" ? { metrics: ["revenue"] } : undefined,
        );
        expect(r.status, `${role} ${method} ${path}`).toBe(403);
        expect(r.body.error).toEqual(expect.any(String));
      }
      expect((await rep("GET", "/proposals")).status).toBe(200);
      expect((await rep("GET", `/proposals/${id}`)).body).toMatchObject({ id, status: "ready" });
    }
    // Nothing changed: it is still ready, and a manager discards it.
    const discarded = await siti("DELETE", `/proposals/${id}`);
    expect(discarded.body).toEqual({ id, status: "discarded" });
    expect((await siti("POST", `/proposals/${id}/accept`)).status).toBe(409);
  });

  it("answers 409 on a drawn plan, and 400 naming unknown metrics, territories and units", async () => {
    const drawn = await createPlanWithLinks(server, "Drawn");
    const manager = as(drawn, "edit");
    expect(
      (
        await manager("POST", "/territories", {
          type: "Feature",
          id: "t1",
          properties: { name: "T1" },
          geometry: box(107.5, -7.0, 107.6, -6.9),
        })
      ).status,
    ).toBe(201);
    const refused = await manager("POST", "/proposals", { metrics: { accounts: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain("unit layer");

    const { siti } = await unitPlan();
    const bad = await siti("POST", "/proposals", {
      metrics: { revenu: 1, accounts: 1 },
      shares: { west: 1.2, south: 1 },
      locked: ["nowhere"],
      lockedUnits: ["not-a-unit"],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.unknown).toEqual({ metrics: ["revenu"], territories: ["south", "nowhere"], units: ["not-a-unit"] });
    expect(bad.body.error).toContain('no metric "revenu"');
    expect(bad.body.error).toContain('no territory "south", "nowhere"');
    expect(bad.body.error).toContain('no unit "not-a-unit"');
    expect(bad.body.metrics).toEqual(expect.arrayContaining(["accounts", "revenue", "areaKm2"]));
    expect((await siti("POST", "/proposals", { metrics: ["revenue"], seconds: 500 })).status).toBe(400);
    expect((await siti("GET", "/proposals")).body).toEqual({ proposals: [] });
    expect((await siti("GET", "/proposals/p-nothing")).status).toBe(404);
  });

  it("keeps serving while a 10 s run goes on", async () => {
    const { siti } = await unitPlan();
    const id = (await siti("POST", "/proposals", { metrics: ["revenue", "accounts"], seconds: 10 })).body.id as string;
    try {
      await eventually(async () => expect((await siti("GET", `/proposals/${id}`)).body.progress).toBeGreaterThan(0));
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await siti("GET", "/analysis")).status).toBe(200);
      // It was running all along.
      expect((await siti("GET", `/proposals/${id}`)).body.status).toBe("running");
    } finally {
      await siti("POST", `/proposals/${id}/stop`);
    }
  });
});

describe("proposals across a restart", () => {
  const startServer = serversPerTest();

  it("keeps the ready ones and fails the one that was running, with a sentence", async () => {
    const first = await startServer();
    const { plan, siti } = await unitPlan(first);
    const readyId = (await siti("POST", "/proposals", { metrics: ["revenue"], seconds: 1 })).body.id as string;
    const ready = await ended(siti, readyId);
    expect(ready.status).toBe("ready");
    const runningId = (await siti("POST", "/proposals", { metrics: ["revenue"], seconds: 60 })).body.id as string;
    await eventually(async () =>
      expect((await siti("GET", `/proposals/${runningId}`)).body.progress).toBeGreaterThan(0),
    );
    await first.kill("SIGKILL");

    const second = await startServer({ dataDir: first.dataDir });
    const again = as(plan, "edit", second);
    const list = (await again("GET", "/proposals")).body.proposals as Proposal[];
    expect(list.map((p) => [p.id, p.status])).toEqual([
      [readyId, "ready"],
      [runningId, "failed"],
    ]);
    expect(list[0]?.moves).toEqual(ready.moves);
    expect(list[1]?.error).toContain("restarted");
    // The ready one can still be accepted after the restart.
    const accepted = await again("POST", `/proposals/${readyId}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.applied).toBe(ready.moves.length);
  });
});
