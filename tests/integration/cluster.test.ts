import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readTerritories, updateTerritory } from "../../shared/doc/schema.ts";
import * as Y from "yjs";
import { clustersPerTest, freePort } from "./cluster-harness.ts";
import { createPlan, eventually, stockClientsPerTest, territoryNames, type ServerProcess } from "./harness.ts";
import { RawClient } from "./raw-client.ts";
import { counterOf, renameOver, seedCounters } from "./counters.ts";

/**
 * Several instances serving the same plans (issue 16): separate processes on
 * one PostgreSQL database and one Redis, clients on different instances.
 */
const cluster = clustersPerTest();
const client = stockClientsPerTest();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Renames a territory over REST; the status (200 once it is stored, 0 when the connection failed). */
const rename = (server: ServerProcess, planId: string, id: string, name: string): Promise<number> =>
  renameOver(server, planId, id, name).catch(() => 0);
const counter = counterOf;
const names = (doc: Y.Doc) => Object.fromEntries(readTerritories(doc).map((t) => [t.id, t.name]));

describe("several instances", () => {
  it("serves one plan to clients on three instances: edits, refusals and REST calls all reach the owner", async () => {
    const { instances } = await cluster(3);
    const [a, b, c] = instances as [ServerProcess, ServerProcess, ServerProcess];
    const planId = await createPlan(a);
    await seedCounters(a, planId, ["t1", "t2", "t3"]);
    const clients = [client(a, planId), client(b, planId), client(c, planId)];
    await eventually(() => {
      for (const cl of clients) expect(Object.keys(names(cl.doc))).toHaveLength(3);
    });
    for (const [i, cl] of clients.entries()) {
      transact(cl.doc, LOCAL_EDIT, () => updateTerritory(cl.doc, `t${i + 1}`, { name: `from-${i}` }));
    }
    // Every client sees every edit, whichever instance it is connected to.
    await eventually(() => {
      for (const cl of clients) expect(names(cl.doc)).toEqual({ t1: "from-0", t2: "from-1", t3: "from-2" });
    });
    // REST through another instance answers with the owner's plan.
    expect(await territoryNames(c, planId)).toEqual({ t1: "from-0", t2: "from-1", t3: "from-2" });
    expect(await rename(b, planId, "t1", "renamed-on-b")).toBe(200);
    await eventually(() => expect(names(clients[2]?.doc as Y.Doc).t1).toBe("renamed-on-b"));
    // A view link's change is refused by the owner, through the instance it reached; nothing is stored.
    const viewer = await RawClient.connect(`${c.wsUrl}/sync/${planId}`, "view");
    const rogue = new Y.Doc();
    rogue.getMap("territories").set("x", new Y.Map());
    viewer.sendUpdate(Y.encodeStateAsUpdate(rogue));
    await eventually(() => expect(viewer.refusals[0]?.code).toBe("forbidden"));
    expect(Object.keys(await territoryNames(b, planId)).sort()).toEqual(["t1", "t2", "t3"]);
    viewer.ws.close();
    // A forged hop header does not make a client another instance.
    const forged = await fetch(`${b.url}/api/plans/${planId}/territories`, {
      headers: { "x-wilayah-hop": "guess", "x-wilayah-client": "10.1.2.3" },
    });
    expect(forged.status).toBe(401);
  });

  it("kill -9 of the owner: another instance takes the plan over, clients converge, no acknowledged edit is lost", async () => {
    const { instances } = await cluster(3);
    const [a, b, c] = instances as [ServerProcess, ServerProcess, ServerProcess];
    const planId = await createPlan(a);
    await seedCounters(a, planId, ["w1", "w2", "k"]);
    const onB = client(b, planId);
    const onC = client(c, planId);
    await eventually(() => expect(Object.keys(names(onC.doc))).toHaveLength(3));
    // Two writers rename a territory each with a rising counter, through B and C; what was acknowledged is kept.
    const acked = { w1: 0, w2: 0 };
    let stop = false;
    const writer = async (via: ServerProcess, id: "w1" | "w2") => {
      for (let n = 1; !stop; n++) {
        if ((await rename(via, planId, id, `${id}-${n}`)) === 200) acked[id] = n;
        else await sleep(100);
      }
    };
    const writers = [writer(b, "w1"), writer(c, "w2")];
    await sleep(1_000);
    const before = { ...acked };
    await a.kill("SIGKILL");
    const killedAt = Date.now();
    // A call that reaches a forwarder right after the owner died is served, not refused:
    // nothing of it was read before the dead owner's port refused the connection.
    expect(await rename(c, planId, "k", "k-1")).toBe(200);
    // Edits are acknowledged again once another instance took the plan.
    await eventually(() => expect(acked.w1 + acked.w2).toBeGreaterThan(before.w1 + before.w2 + 10), 30_000);
    const failoverMs = Date.now() - killedAt;
    stop = true;
    await Promise.all(writers);
    const stored = await territoryNames(b, planId);
    expect(counter(stored.w1)).toBeGreaterThanOrEqual(acked.w1);
    expect(counter(stored.w2)).toBeGreaterThanOrEqual(acked.w2);
    // The clients that were forwarded to the dead owner reconnect and converge on what is stored.
    await eventually(() => {
      expect(stored.k).toBe("k-1");
      expect(names(onB.doc)).toEqual(stored);
      expect(names(onC.doc)).toEqual(stored);
    }, 30_000);
    expect(failoverMs).toBeGreaterThan(0);
  });

  it("an owner paused past its lease loses the plan; what it would write when it resumes is refused, and its clients converge through the new owner", async () => {
    const { instances } = await cluster(2);
    const [a, b] = instances as [ServerProcess, ServerProcess];
    const planId = await createPlan(a);
    await seedCounters(a, planId, ["p1", "p2"]);
    const onA = client(a, planId);
    const onB = client(b, planId);
    await eventually(() => expect(Object.keys(names(onB.doc))).toHaveLength(2));
    a.proc.kill("SIGSTOP");
    // Past the lease (1.5 s): B takes the plan with a higher fencing number and serves the edit itself.
    await sleep(2_500);
    expect(await rename(b, planId, "p2", "by-b")).toBe(200);
    // Meanwhile A's client edits: the change waits in A's socket for A to wake.
    transact(onA.doc, LOCAL_EDIT, () => updateTerritory(onA.doc, "p1", { name: "by-a-while-paused" }));
    a.proc.kill("SIGCONT");
    // A gives the plan up (its lease is B's, or its write is refused for its fencing number);
    // its client reconnects through A to B, which stores the change.
    await eventually(() => expect(a.output()).toMatch(new RegExp(`plan ${planId} moved to another instance`)), 20_000);
    await eventually(async () => {
      expect(await territoryNames(b, planId)).toEqual({ p1: "by-a-while-paused", p2: "by-b" });
    }, 30_000);
    await eventually(() => {
      expect(names(onA.doc)).toEqual({ p1: "by-a-while-paused", p2: "by-b" });
      expect(names(onB.doc)).toEqual({ p1: "by-a-while-paused", p2: "by-b" });
    }, 30_000);
  });

  it("a Redis restart never leaves two owners writing: the plan is served on and every acknowledged edit kept", async () => {
    const redisPort = await freePort();
    let redis = startRedis(redisPort);
    try {
      await sleep(300);
      const { instances } = await cluster(2, { redisUrl: `redis://127.0.0.1:${redisPort}` });
      const [a, b] = instances as [ServerProcess, ServerProcess];
      const planId = await createPlan(a);
      await seedCounters(a, planId, ["r1"]);
      const onB = client(b, planId);
      await eventually(() => expect(Object.keys(names(onB.doc))).toHaveLength(1));
      let acked = 0;
      let n = 0;
      const write = async (via: ServerProcess) => {
        n++;
        if ((await rename(via, planId, "r1", `r1-${n}`)) === 200) acked = Math.max(acked, n);
      };
      for (let i = 0; i < 5; i++) await write(a);
      redis.kill("SIGKILL");
      await sleep(500);
      // Redis is gone: the owner keeps serving what it owns.
      for (let i = 0; i < 5; i++) await write(a);
      redis = startRedis(redisPort);
      await sleep(2_000);
      // Redis came back empty. Writes through both instances go on; whoever owns the plan now, one does.
      for (let i = 0; i < 10; i++) await write(i % 2 ? a : b);
      expect(acked).toBeGreaterThan(10);
      await eventually(async () => expect(counter((await territoryNames(b, planId)).r1)).toBeGreaterThanOrEqual(acked));
      await eventually(async () => expect(await territoryNames(a, planId)).toEqual(await territoryNames(b, planId)));
      await eventually(() => expect(counter(names(onB.doc).r1)).toBeGreaterThanOrEqual(acked), 30_000);
    } finally {
      redis.kill("SIGKILL");
    }
  });
});

function startRedis(port: number): ChildProcess {
  return spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
}
