/**
 * Damage on disk (issue 9, item 2), against the real server: a flipped byte
 * is found, reported and refused — or recovered from the second copy —
 * never turned into silent loss.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { square } from "../fixtures/shapes.ts";
import {
  apiFetch,
  createPlan,
  eventually,
  logged,
  type ServerProcess,
  withToken,
  serversPerTest,
  addTerritories,
  addAccounts,
  territoryNames,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const start = serversPerTest();

/** Keeps rooms loaded, so a kill -9 leaves everything in the log (nothing compacted on unload). */
const NO_UNLOAD = { ROOM_IDLE_MS: "600000" };

const planDir = (server: ServerProcess, planId: string) => path.join(server.dataDir, "plans", planId);

async function addTerritory(server: ServerProcess, planId: string, id: string): Promise<void> {
  await addTerritories(server, planId, {
    type: "Feature",
    geometry: square(106, -7),
    properties: { id, name: `${id}-0` },
  });
}

async function rename(server: ServerProcess, planId: string, id: string, name: string): Promise<Response> {
  return apiFetch(`${server.url}/api/plans/${planId}/territories/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "Feature", properties: { name } }),
  });
}

async function flipByte(file: string, at: number): Promise<Buffer> {
  const buf = await fs.readFile(file);
  buf[at] = (buf[at] as number) ^ 0x01;
  await fs.writeFile(file, buf);
  return buf;
}

async function expectDamaged(res: Response, file: RegExp): Promise<void> {
  const body = (await res.json()) as { error: string; damaged?: boolean };
  expect(res.status).toBe(503);
  expect(body.damaged).toBe(true);
  expect(body.error).toMatch(/^This plan's stored data is damaged/);
  expect(body.error).toMatch(file);
}

describe("damage on disk", () => {
  it("refuses a plan whose log has a flipped byte in record 1 of 100, everywhere, until an operator restores it", async () => {
    const first = await start({ env: NO_UNLOAD });
    const planId = await createPlan(first);
    const other = await createPlan(first);
    await addTerritory(first, planId, "a");
    for (let n = 1; n < 100; n++) expect((await rename(first, planId, "a", `a-${n}`)).status).toBe(200);
    await addTerritory(first, other, "b");
    await first.kill("SIGKILL");

    const log = path.join(planDir(first, planId), "main.0.log");
    const good = await fs.readFile(log);
    // Record 1 is the territory's creation; the 99 renames after it build on it.
    const damaged = await flipByte(log, 8 + 5);

    const second = await start({ dataDir: first.dataDir });
    // Reads, writes, exports and sockets: all 503, with a sentence naming the damage.
    await expectDamaged(await apiFetch(`${second.url}/api/plans/${planId}/territories`), /main\.0\.log: record 1/);
    await expectDamaged(await rename(second, planId, "a", "after"), /main\.0\.log/);
    await expectDamaged(await apiFetch(`${second.url}/api/plans/${planId}/analysis`), /main\.0\.log/);
    await expectDamaged(await apiFetch(`${second.url}/api/plans/${planId}/assignments.csv`), /main\.0\.log/);
    await expectDamaged(await apiFetch(`${second.url}/api/plans/${planId}`), /main\.0\.log/);
    const refused = await RawClient.connect(`${second.wsUrl}/sync/${planId}`).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 503 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ damaged: true });
    // The server log says which plan and which file.
    expect(
      logged(second, { component: "store", planId, file: "main.0.log" }, /^main\.0\.log is damaged \(record 1/),
    ).toHaveLength(1);
    // The rest of the server carries on.
    expect(await territoryNames(second, other)).toEqual({ b: "b-0" });
    expect((await apiFetch(`${second.url}/api/health`)).status).toBe(200);
    await second.kill("SIGTERM");
    // Nothing was written over the log; a copy of it is kept aside.
    expect(await fs.readFile(log)).toEqual(damaged);
    const aside = (await fs.readdir(planDir(first, planId))).filter((f) => f.startsWith("damaged-"));
    expect(aside).toHaveLength(1);
    expect(await fs.readFile(path.join(planDir(first, planId), aside[0] as string, "main.0.log"))).toEqual(damaged);

    // The operator restores the file (here: from a backup), and the whole plan is back.
    await fs.writeFile(log, good);
    const third = await start({ dataDir: first.dataDir });
    expect(await territoryNames(third, planId)).toEqual({ a: "a-99" });
    expect((await rename(third, planId, "a", "after")).status).toBe(200);
  });

  it("notices a restored file without a restart", async () => {
    const first = await start({ env: NO_UNLOAD });
    const planId = await createPlan(first);
    await addTerritory(first, planId, "a");
    expect((await rename(first, planId, "a", "a-1")).status).toBe(200);
    await first.kill("SIGKILL");
    const log = path.join(planDir(first, planId), "main.0.log");
    const good = await fs.readFile(log);
    await flipByte(log, 8 + 5);
    const second = await start({ dataDir: first.dataDir });
    expect((await apiFetch(`${second.url}/api/plans/${planId}/territories`)).status).toBe(503);
    await fs.writeFile(log, good);
    await eventually(async () => expect(await territoryNames(second, planId)).toEqual({ a: "a-1" }));
  });

  it("recovers a damaged plan.json completely from its copy and the logs since it, and says so", async () => {
    const first = await start();
    const planId = await createPlan(first);
    await addTerritory(first, planId, "a");
    expect((await rename(first, planId, "a", "a-1")).status).toBe(200);
    // A clean stop compacts: plan.json holds a-1, plan.prev.json the plan before, main.0.log the edits between.
    await first.kill("SIGTERM");
    const second = await start({ dataDir: first.dataDir, env: NO_UNLOAD });
    expect((await rename(second, planId, "a", "a-2")).status).toBe(200);
    await addTerritory(second, planId, "b");
    await second.kill("SIGKILL");
    const file = path.join(planDir(first, planId), "plan.json");
    // Inside the snapshot's base64: still JSON, caught by the checksum.
    const text = await fs.readFile(file, "utf8");
    const at = text.indexOf('"snapshot":"') + 20;
    const damaged = await flipByte(file, at);
    expect(() => JSON.parse(damaged.toString("utf8"))).not.toThrow();

    const third = await start({ dataDir: first.dataDir });
    expect(await territoryNames(third, planId)).toEqual({ a: "a-2", b: "b-0" });
    expect(
      logged(third, { planId, file: "plan.json" }, /^plan\.json was damaged .*recovered it completely/),
    ).toHaveLength(1);
    expect((await rename(third, planId, "a", "a-3")).status).toBe(200);
    await third.kill("SIGKILL");
    const fourth = await start({ dataDir: first.dataDir });
    expect(await territoryNames(fourth, planId)).toEqual({ a: "a-3", b: "b-0" });
  });

  it("refuses a plan whose accounts file is damaged, for every call, instead of reading it as empty", async () => {
    const server = await start();
    const planId = await createPlan(server);
    await addTerritory(server, planId, "a");
    const csv = "id,name,lat,lon,revenue\nx1,Toko Satu,-6.95,106.05,1250000\nx2,Toko Dua,-6.95,106.05,7\n";
    await addAccounts(server, planId, csv);
    await server.kill("SIGTERM");
    const file = path.join(planDir(server, planId), "accounts.json");
    const text = await fs.readFile(file, "utf8");
    // Still JSON, still accounts: only the checksum can tell.
    await fs.writeFile(file, text.replace("1250000", "9250000"));

    const again = await start({ dataDir: server.dataDir });
    await expectDamaged(
      await apiFetch(`${again.url}/api/plans/${planId}/accounts`),
      /accounts\.json: it fails its checksum/,
    );
    await expectDamaged(await apiFetch(`${again.url}/api/plans/${planId}/territories`), /accounts\.json/);
    await expectDamaged(await apiFetch(`${again.url}/api/plans/${planId}/metrics.csv`), /accounts\.json/);
    expect(logged(again, { planId, file: "accounts.json" }, /^accounts\.json is damaged/)).toHaveLength(1);
  });

  it("starts and serves everything else when the old shared demo plan cannot be read", async () => {
    const first = await start();
    const other = await createPlan(first);
    await addTerritory(first, other, "b");
    await first.kill("SIGTERM");
    // The shared demo plan of servers before issue 9, damaged with its copy.
    await fs.mkdir(planDir(first, "demo"));
    for (const f of ["plan.json", "plan.prev.json"]) await fs.writeFile(path.join(planDir(first, "demo"), f), "{");

    const second = await start({ dataDir: first.dataDir, env: { SEED_DEMO: "1" } });
    await expectDamaged(await fetch(`${second.url}/api/plans/demo`), /plan\.json/);
    expect(await territoryNames(second, other)).toEqual({ b: "b-0" });
    expect((await fetch(`${second.url}/api/demo`)).status).toBe(200);
  });

  it("refuses a plan whose activity feed does not parse, and leaves the file as it was", async () => {
    const server = await start();
    const planId = await createPlan(server);
    await addTerritory(server, planId, "a");
    await server.kill("SIGTERM");
    const file = path.join(planDir(server, planId), "activity.json");
    const text = await fs.readFile(file, "utf8");
    const cut = text.slice(0, Math.floor(text.length / 2));
    await fs.writeFile(file, cut);
    const again = await start({ dataDir: server.dataDir });
    const res = await fetch(withToken(`${again.url}/api/plans/${planId}/activity`));
    await expectDamaged(res, /activity\.json/);
    await again.kill("SIGTERM");
    expect(await fs.readFile(file, "utf8")).toBe(cut);
  });
});
