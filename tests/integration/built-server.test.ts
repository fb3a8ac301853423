import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type ServerProcess, startServerProcess } from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Inside the project, so the bundle finds node_modules as dist-server/ does. */
const OUT = path.join(ROOT, "node_modules/.cache/wilayah-test-build", String(process.pid));

/**
 * The server as `npm run build` makes it (issue 16): plain JavaScript run by
 * node without tsx, its three workers bundled beside it, the demo's data
 * copied there. Each worker is made to do its job once: the jobs worker
 * builds the demo, the scoring worker scores it, the balance worker runs a
 * proposal on it.
 */
let server: ServerProcess;
beforeAll(async () => {
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build-server.mjs"), OUT], { stdio: "pipe" });
  server = await startServerProcess({
    built: path.join(OUT, "index.mjs"),
    env: { SEED_DEMO: "1", DEMO_COPIES_PER_HOUR: "0", STATIC_DIR: path.join(OUT, "no-client") },
  });
}, 120_000);
afterAll(async () => {
  await server?.kill();
  if (server) await fs.rm(server.dataDir, { recursive: true, force: true });
  await fs.rm(OUT, { recursive: true, force: true });
});

function call(token: string, pathname: string, init: RequestInit = {}) {
  return fetch(`${server.url}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });
}

describe("the built server (npm run build)", () => {
  it("bundles no TypeScript loader and keeps each worker beside the server", async () => {
    const files = await fs.readdir(OUT);
    for (const f of ["index.mjs", "scoring-worker.mjs", "jobs-worker.mjs", "balance-worker.mjs"])
      expect(files).toContain(f);
    for (const f of files.filter((f) => f.endsWith(".mjs"))) {
      const code = await fs.readFile(path.join(OUT, f), "utf8");
      expect(code).not.toMatch(/["']tsx(\/[^"']*)?["']/);
      expect(code).not.toMatch(/import\(["'][^"']+\.ts["']\)/);
    }
  });

  it("serves the demo, scores it and balances it, each worker running as built JavaScript", async () => {
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const res = await fetch(`${server.url}/api/demo`);
    expect(res.status, server.output()).toBeLessThan(300);
    const demo = (await res.json()) as { id: string; links: Record<"edit" | "view", string> };
    const edit = new URL(demo.links.edit).searchParams.get("token") as string;

    const socket = await RawClient.connect(`${server.wsUrl}/sync/${demo.id}?token=${edit}`, null);
    try {
      await eventually(() => expect(socket.analyses.length).toBeGreaterThan(0), 60_000);
    } finally {
      socket.ws.close();
    }
    const analysis = (await (await call(edit, `/api/plans/${demo.id}/analysis`)).json()) as {
      territories: { accounts: number }[];
    };
    expect(analysis.territories.reduce((n, t) => n + t.accounts, 0)).toBe(6000);

    const started = await call(edit, `/api/plans/${demo.id}/proposals`, {
      method: "POST",
      body: JSON.stringify({ metrics: { revenue: 1 }, seconds: 1 }),
    });
    expect(started.status, await started.clone().text()).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const ended = await eventually(
      async () => {
        const p = (await (await call(edit, `/api/plans/${demo.id}/proposals/${id}`)).json()) as {
          status: string;
          error: string | null;
        };
        expect(p.status).not.toBe("running");
        return p;
      },
      60_000,
      200,
    );
    expect(ended, server.output()).toMatchObject({ status: "ready", error: null });
  });
});
