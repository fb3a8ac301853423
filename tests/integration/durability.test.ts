import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readTerritories, territoriesMap, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import { square } from "../fixtures/shapes.ts";
import { counterOf, renameOver, seedCounters } from "./counters.ts";
import {
  connectStockClient,
  createPlan,
  eventually,
  apiFetch,
  serversPerTest,
  stockClientsPerTest,
  territoryNames,
} from "./harness.ts";

const start = serversPerTest();
const client = stockClientsPerTest();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("durability", () => {
  it("keeps everything across a clean restart, folding the log into the snapshot", async () => {
    const first = await start();
    const planId = await createPlan(first);
    const a = client(first, planId);
    transact(a.doc, LOCAL_EDIT, () =>
      writeTerritory(a.doc, {
        id: "t1",
        name: "One",
        color: "#1b9e77",
        reps: [{ name: "Sari", email: "sari@example.co.id" }],
        targets: { revenue: 10 },
        parent: null,
        geometry: square(106, -7),
      }),
    );
    await eventually(async () => expect(await territoryNames(first, planId)).toEqual({ t1: "One" }));
    a.destroy();
    await first.kill("SIGTERM");
    const files = await fs.readdir(path.join(first.dataDir, "plans", planId));
    const planFile = JSON.parse(await fs.readFile(path.join(first.dataDir, "plans", planId, "plan.json"), "utf8"));
    const main = planFile.data.documents.main as { snapshot: string; logGen: number };
    expect(main.snapshot.length).toBeGreaterThan(0);
    // The log was folded into the snapshot: a log after it may exist but is empty (the one before it is
    // kept with plan.prev.json, the second copy).
    for (const f of files.filter((f) => f.endsWith(".log") && Number(f.split(".")[1]) >= main.logGen)) {
      expect((await fs.stat(path.join(first.dataDir, "plans", planId, f))).size).toBe(0);
    }
    const second = await start({ dataDir: first.dataDir });
    const fc = await (await apiFetch(`${second.url}/api/plans/${planId}/territories/t1`)).json();
    expect(fc.properties).toMatchObject({
      name: "One",
      reps: [{ name: "Sari", email: "sari@example.co.id" }],
      targets: { revenue: 10 },
    });
  });

  it("unloads a plan when its last client has gone", async () => {
    const server = await start({ env: { ROOM_IDLE_MS: "0" } });
    const planId = await createPlan(server);
    const a = client(server, planId);
    await eventually(() => expect(a.provider.synced).toBe(true));
    expect((await (await apiFetch(`${server.url}/api/health`)).json()).rooms).toBe(1);
    a.destroy();
    await eventually(async () => expect((await (await apiFetch(`${server.url}/api/health`)).json()).rooms).toBe(0));
  });

  it("loses nothing relayed or acknowledged when killed (-9) during a burst, and a later write is never overruled", async () => {
    const first = await start();
    const planId = await createPlan(first);
    const ids = ["w0", "w1", "w2", "rest"];
    await seedCounters(first, planId, ids);

    // Three writers, each on its own territory, as fast as the event loop allows.
    const writers = [0, 1, 2].map(() => client(first, planId));
    const observer = client(first, planId);
    await eventually(() => expect(readTerritories(observer.doc)).toHaveLength(4));
    for (const w of writers) await eventually(() => expect(readTerritories(w.doc)).toHaveLength(4));

    // What the observer has seen relayed: the highest counter per territory.
    const seen: Record<string, number> = {};
    const record = () => {
      for (const t of readTerritories(observer.doc)) seen[t.id] = Math.max(seen[t.id] ?? -1, counterOf(t.name));
    };
    territoriesMap(observer.doc).observeDeep(record);

    let burst = true;
    const loops: Promise<void>[] = writers.map(async (w, i) => {
      for (let n = 1; burst; n++) {
        transact(w.doc, LOCAL_EDIT, () =>
          updateTerritory(w.doc, `w${i}`, { name: `w${i}-${n}`, geometry: square(105 + i, -7 + n * 1e-5) }),
        );
        await sleep(2);
      }
    });
    let acked = 0;
    loops.push(
      (async () => {
        for (let n = 1; burst; n++) {
          try {
            if ((await renameOver(first, planId, "rest", `rest-${n}`)) === 200) acked = n;
          } catch {
            return; // the server died mid-request: not acknowledged
          }
        }
      })(),
    );
    // Clients that come and go during the burst.
    loops.push(
      (async () => {
        while (burst) {
          const c = connectStockClient(first, planId);
          await sleep(40 + Math.random() * 60);
          c.destroy();
        }
      })(),
    );

    // Kill once the burst is well under way: dozens of writes acknowledged and a hundred relayed per
    // writer (about a second and a half here; on a busy machine that takes longer than on a quiet one).
    await eventually(() => {
      expect(acked).toBeGreaterThan(30);
      for (const id of ["w0", "w1", "w2"]) expect(seen[id]).toBeGreaterThan(100);
    }, 60_000);
    await first.kill("SIGKILL");
    burst = false;
    await Promise.all(loops);
    record();
    const seenAtCrash = { ...seen };
    const ackedAtCrash = acked;
    expect(ackedAtCrash).toBeGreaterThan(5);
    for (const id of ["w0", "w1", "w2"]) expect(seenAtCrash[id]).toBeGreaterThan(5);

    // Restart on the same port, so the clients' own reconnect logic finds it.
    const second = await start({ dataDir: first.dataDir, port: first.port });
    const stored = await territoryNames(second, planId);
    for (const id of ["w0", "w1", "w2"])
      expect(counterOf(stored[id])).toBeGreaterThanOrEqual(seenAtCrash[id] as number);
    expect(counterOf(stored.rest)).toBeGreaterThanOrEqual(Math.max(ackedAtCrash, seenAtCrash.rest ?? 0));

    // A write after the restart…
    for (const id of ids) expect(await renameOver(second, planId, id, `after-${id}`)).toBe(200);

    // …then everyone reconnects and converges, and no older write beats it.
    // (Only an edit the server never saw — counter above what it stored — may
    // legitimately win: it is genuinely concurrent.)
    const everyone = [...writers, observer];
    await eventually(
      async () => {
        const server = await territoryNames(second, planId);
        for (const c of everyone) {
          expect(Object.fromEntries(readTerritories(c.doc).map((t) => [t.id, t.name]))).toEqual(server);
        }
        for (const id of ids) {
          const name = server[id] as string;
          if (name !== `after-${id}`) expect(counterOf(name)).toBeGreaterThan(counterOf(stored[id]));
        }
        expect(server.rest).toBe("after-rest");
      },
      30_000,
      100,
    );
  });

  it("loads a log whose last record was torn by a crash, and keeps appending after it", async () => {
    const first = await start();
    const planId = await createPlan(first);
    await seedCounters(first, planId, ["a"]);
    expect(await renameOver(first, planId, "a", "a-1")).toBe(200);
    await first.kill("SIGKILL");
    const dir = path.join(first.dataDir, "plans", planId);
    const log = (await fs.readdir(dir)).find((f) => f.endsWith(".log")) as string;
    // Half a record: a header announcing 1,000 bytes, then only ten of them.
    const torn = Buffer.alloc(18);
    torn.writeUInt32LE(1000, 0);
    torn.writeUInt32LE(0xdeadbeef, 4);
    await fs.appendFile(path.join(dir, log), torn);

    const second = await start({ dataDir: first.dataDir });
    expect(await territoryNames(second, planId)).toEqual({ a: "a-1" });
    expect(await renameOver(second, planId, "a", "a-2")).toBe(200);
    await second.kill("SIGKILL");
    const third = await start({ dataDir: first.dataDir });
    expect(await territoryNames(third, planId)).toEqual({ a: "a-2" });
  });

  it("never overwrites stored data it failed to read", async () => {
    const first = await start();
    const planId = await createPlan(first);
    await seedCounters(first, planId, ["a"]);
    await first.kill("SIGTERM");
    const file = path.join(first.dataDir, "plans", planId, "plan.json");
    const copy = path.join(first.dataDir, "plans", planId, "plan.prev.json");
    const good = await fs.readFile(file);
    const corrupt = Buffer.concat([good.subarray(0, good.length - 20), Buffer.from("#garbage")]);
    await fs.writeFile(file, corrupt);
    // Its second copy damaged too: nothing left to recover from.
    await fs.writeFile(copy, corrupt);

    const second = await start({ dataDir: first.dataDir, env: { ROOM_IDLE_MS: "0" } });
    const res = await apiFetch(`${second.url}/api/plans/${planId}/territories`);
    expect(res.status).toBe(503);
    expect((await res.json()) as { error: string }).toMatchObject({
      error: expect.stringMatching(
        /^This plan's stored data is damaged \(plan\.json: .*plan\.prev\.json is damaged too/,
      ),
      damaged: true,
    });
    const c = connectStockClient(second, planId);
    let refused = 0;
    c.provider.on("connection-close", () => refused++);
    // Refused at the door twice (a retry included), never synced to an empty document.
    await eventually(() => expect(refused).toBeGreaterThanOrEqual(2));
    expect(c.provider.synced).toBe(false);
    c.destroy();
    await second.kill("SIGTERM");
    expect(await fs.readFile(file)).toEqual(corrupt);

    // Repaired by hand, the plan is all there.
    await fs.writeFile(file, good);
    const third = await start({ dataDir: first.dataDir });
    expect(await territoryNames(third, planId)).toEqual({ a: "a-0" });
  });
});
