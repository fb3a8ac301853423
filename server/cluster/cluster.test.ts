import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Cluster, type Fencing } from "./cluster.ts";
import { Leases } from "./leases.ts";

/**
 * The ownership rules against the real Redis (127.0.0.1:6379, as in CI; a
 * missing Redis fails these tests), each test under a prefix of its own.
 * The fencing numbers live in a map standing in for PostgreSQL's table.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

class Fences implements Fencing {
  readonly held = new Map<string, number>();
  constructor(private readonly table: Map<string, number>) {}
  async takeFence(planId: string): Promise<number> {
    const n = (this.table.get(planId) ?? 0) + 1;
    this.table.set(planId, n);
    this.held.set(planId, n);
    return n;
  }
  dropFence(planId: string): void {
    this.held.delete(planId);
  }
}

const made: Cluster[] = [];
afterEach(async () => {
  for (const c of made.splice(0)) await c.close();
});

function instances(n: number, leaseMs = 600, started: boolean[] = []) {
  const prefix = `wilayah-test-${randomBytes(4).toString("hex")}:`;
  const table = new Map<string, number>();
  return Array.from({ length: n }, (_, i) => {
    const fences = new Fences(table);
    const lost: string[] = [];
    const inUse = new Set<string>();
    const cluster = new Cluster({
      leases: new Leases({ redisUrl: REDIS_URL, prefix, leaseMs }),
      fencing: fences,
      instanceUrl: `http://127.0.0.1:${9000 + i}`,
      leaseMs,
      idleReleaseMs: 500,
      // Plans named "s-<origin>" are scenarios of <origin>.
      homeOf: async (id) => (id.startsWith("none") ? null : id.startsWith("s-") ? id.slice(2) : id),
    });
    if (started[i] ?? true) cluster.start({ inUse: (id) => inUse.has(id), lost: async (id) => void lost.push(id) });
    made.push(cluster);
    return { cluster, fences, lost, inUse, table };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Cluster", () => {
  it("gives a plan to the first instance that asks and sends the others there", async () => {
    const [a, b] = instances(2);
    if (!a || !b) throw new Error("two instances");
    expect(await a.cluster.route("p1", false)).toEqual({ kind: "local" });
    expect(a.fences.held.get("p1")).toBe(1);
    const atB = await b.cluster.route("p1", false);
    expect(atB).toMatchObject({ kind: "forward", url: "http://127.0.0.1:9000" });
    // A call already forwarded once is never forwarded again.
    expect((await b.cluster.route("p1", true)).kind).toBe("busy");
    expect(b.fences.held.has("p1")).toBe(false);
  });

  it("serves a scenario where its origin is served, each plan with a fencing number of its own", async () => {
    const [a, b] = instances(2);
    if (!a || !b) throw new Error("two instances");
    await a.cluster.route("origin", false);
    expect(await b.cluster.route("s-origin", false)).toMatchObject({ kind: "forward", url: "http://127.0.0.1:9000" });
    expect(await a.cluster.route("s-origin", false)).toEqual({ kind: "local" });
    expect(a.fences.held.get("s-origin")).toBe(1);
    // B cannot claim a plan whose family A serves.
    await expect(b.cluster.claim("s-origin")).rejects.toThrow(/another instance/);
    expect(a.cluster.owns("s-origin")).toBe(true);
    // Losing the family loses every plan of it.
    a.cluster.fenced("s-origin");
    await sleep(10);
    expect(a.lost.sort()).toEqual(["origin", "s-origin"]);
  });

  it("takes nothing for a plan that does not exist", async () => {
    const [a] = instances(1);
    if (!a) throw new Error("one instance");
    expect(await a.cluster.route("none-such", false)).toEqual({ kind: "local" });
    expect(a.table.size).toBe(0);
    expect(a.cluster.owns("none-such")).toBe(false);
  });

  it("asked at once by many calls, takes the plan once", async () => {
    const [a] = instances(1);
    if (!a) throw new Error("one instance");
    const routes = await Promise.all(Array.from({ length: 20 }, () => a.cluster.route("p2", false)));
    expect(routes.every((r) => r.kind === "local")).toBe(true);
    expect(a.table.get("p2")).toBe(1);
  });

  it("keeps a plan in use past its lease, and gives an idle one back", async () => {
    const [a, b] = instances(2, 300);
    if (!a || !b) throw new Error("two instances");
    a.inUse.add("busy");
    await a.cluster.route("busy", false);
    await a.cluster.route("idle", false);
    await sleep(1_000);
    // Renewed: still A's.
    expect(await b.cluster.route("busy", false)).toMatchObject({ kind: "forward" });
    expect(a.cluster.owns("busy")).toBe(true);
    // Idle for longer than idleReleaseMs: given back, so B takes it (with the next number).
    expect(a.cluster.owns("idle")).toBe(false);
    expect(a.fences.held.has("idle")).toBe(false);
    expect(await b.cluster.route("idle", false)).toEqual({ kind: "local" });
    expect(b.fences.held.get("idle")).toBe(2);
  });

  it("takes over a dead owner's plan with a higher fencing number", async () => {
    const [a, b] = instances(2, 400);
    if (!a || !b) throw new Error("two instances");
    await a.cluster.route("p3", false);
    a.inUse.add("p3");
    const seen = await b.cluster.route("p3", false);
    if (seen.kind !== "forward") throw new Error("expected a forward");
    // B found A's port closed: it replaces exactly that holder.
    expect(await b.cluster.takeOver("p3", seen.holder)).toBe(true);
    expect(b.fences.held.get("p3")).toBe(2);
    // A learns at its next renewal that the plan is gone, and lets it go.
    await sleep(400);
    expect(a.lost).toEqual(["p3"]);
    expect(a.cluster.owns("p3")).toBe(false);
    expect(a.fences.held.has("p3")).toBe(false);
    // A replace of a holder that is no longer there does nothing.
    expect(await a.cluster.takeOver("p3", seen.holder)).toBe(false);
  });

  it("an owner paused past its lease loses the plan to another, and gives it up when it wakes", async () => {
    const [a, b] = instances(2, 300, [false, true]);
    if (!a || !b) throw new Error("two instances");
    // A has not started renewing: as a stopped process, its lease runs out.
    await a.cluster.route("p4", false);
    a.inUse.add("p4");
    await sleep(450);
    expect(await b.cluster.route("p4", false)).toEqual({ kind: "local" });
    expect(b.fences.held.get("p4")).toBe(2);
    // A wakes up and renews: the lease is B's, so A lets the plan go.
    a.cluster.start({ inUse: (id) => a.inUse.has(id), lost: async (id) => void a.lost.push(id) });
    await sleep(250);
    expect(a.lost).toEqual(["p4"]);
    expect(a.fences.held.has("p4")).toBe(false);
    expect(b.cluster.owns("p4")).toBe(true);
  });

  it("a fenced write makes the owner give the plan up", async () => {
    const [a] = instances(1);
    if (!a) throw new Error("one instance");
    await a.cluster.route("p5", false);
    a.cluster.fenced("p5");
    await sleep(10);
    expect(a.cluster.owns("p5")).toBe(false);
    expect(a.lost).toEqual(["p5"]);
  });

  it("answers busy, not an error, while Redis cannot be reached", async () => {
    const cluster = new Cluster({
      leases: new Leases({ redisUrl: "redis://127.0.0.1:1", prefix: "x:", leaseMs: 600 }),
      fencing: new Fences(new Map()),
      instanceUrl: "http://127.0.0.1:9999",
      leaseMs: 600,
    });
    made.push(cluster);
    const route = await cluster.route("p6", false);
    expect(route.kind).toBe("busy");
  });
});
