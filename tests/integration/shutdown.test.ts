import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readTerritories, writeTerritory } from "../../shared/doc/schema.ts";
import { square } from "../fixtures/shapes.ts";
import {
  createPlan,
  eventually,
  serversPerTest,
  startServerProcess,
  type ServerProcess,
  territoryNames,
  tempDataDir,
  logLines,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const start = serversPerTest();

/** Sends SIGTERM and answers how the process ended. */
function terminate(server: ServerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    server.proc.once("exit", (code, signal) => resolve({ code, signal }));
    server.proc.kill("SIGTERM");
  });
}

/** A socket on the plan, its document in sync with the server's. */
async function joined(server: ServerProcess, planId: string): Promise<RawClient> {
  const c = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
  await eventually(() => expect(c.synced).toBe(true));
  return c;
}

describe("graceful shutdown (issue 16)", () => {
  it("on SIGTERM closes every socket with 1001, saves, exits 0, and an acknowledged edit is there after the restart", async () => {
    const first = await start();
    const planId = await createPlan(first);
    const writer = await joined(first, planId);
    const watcher = await joined(first, planId);

    const before = Y.encodeStateVector(writer.doc);
    transact(writer.doc, LOCAL_EDIT, () =>
      writeTerritory(writer.doc, {
        id: "t1",
        name: "Before the restart",
        color: "#1b9e77",
        reps: [],
        targets: {},
        parent: null,
        geometry: square(106, -7),
      }),
    );
    writer.sendUpdate(Y.encodeStateAsUpdate(writer.doc, before));
    // Relayed to another socket only once it is in the durable log: acknowledged.
    await eventually(() => expect(readTerritories(watcher.doc).map((t) => t.name)).toEqual(["Before the restart"]));

    const exit = await terminate(first);
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    await eventually(() => {
      expect(writer.closed?.code).toBe(1001);
      expect(watcher.closed?.code).toBe(1001);
    });
    expect(first.output()).toMatch(/SIGTERM: saving plans and stopping/);
    expect(first.output()).toMatch(/Stopped\./);

    const second = await start({ dataDir: first.dataDir });
    expect(await territoryNames(second, planId)).toEqual({ t1: "Before the restart" });
  });

  it("past SHUTDOWN_TIMEOUT_MS exits 1 and says so, the sockets already closed with 1001", async () => {
    // The hand-over never ends (a stall point), so only the deadline can stop the process.
    const server = await start({ env: { SHUTDOWN_TIMEOUT_MS: "500", WILAYAH_STALL_AT: "hand-over" } });
    const planId = await createPlan(server);
    const c = await joined(server, planId);
    const began = Date.now();
    const exit = await terminate(server);
    expect(exit, server.output()).toEqual({ code: 1, signal: null });
    expect(Date.now() - began).toBeGreaterThanOrEqual(450);
    expect(server.output()).toMatch(/took longer than SHUTDOWN_TIMEOUT_MS \(500 ms\)/);
    await eventually(() => expect(c.closed?.code).toBe(1001));
  });

  it("refuses to start on a bad configuration, naming each variable and what it expects, without a stack trace", async () => {
    const dataDir = await tempDataDir();
    const failed = await startServerProcess({
      dataDir,
      env: { PORT: "80a", SEED_DEMO: "nope", SHUTDOWN_TIMEOUT_MS: "soon" },
    }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(failed).toMatch(/^server exited with 1:/);
    // Every line is JSON (issue 16): the one that says why names each variable.
    const lines = logLines({ output: () => (failed ?? "").replace(/^server exited with 1:\n/, "") });
    const why = lines.find((l) => l.level === 60)?.msg ?? "";
    expect(why).toContain('PORT must be a whole number between 0 and 65535, got "80a"');
    expect(why).toContain('SEED_DEMO must be 1/0, true/false, yes/no or on/off, got "nope"');
    expect(why).toContain('SHUTDOWN_TIMEOUT_MS must be a whole number 1 or more, got "soon"');
    expect(why).not.toMatch(/\n\s+at /);
    await fs.rm(dataDir, { recursive: true, force: true });
  });
});
