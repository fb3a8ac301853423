import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { newAccess } from "../../server/access/tokens.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { CloseCode } from "../../shared/protocol/messages.ts";
import { eventually, type ServerProcess, startServerProcess, tempDataDir, useServer } from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/**
 * Issue 9, item 7: the demo hands nobody a shared edit link. Each
 * `GET /api/demo` is a copy of its own; copies are capped per address and
 * hour, idle ones are deleted, and a manager can delete a plan.
 */
interface Demo {
  id: string;
  name: string;
  links: { edit: string; comment: string; view: string };
}

const tokenOf = (link: string) => new URL(link).searchParams.get("token") as string;

async function getDemo(server: ServerProcess): Promise<Demo> {
  const res = await fetch(`${server.url}/api/demo`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Demo;
}

function planCall(server: ServerProcess, id: string, token: string, path = "", init: RequestInit = {}) {
  return fetch(`${server.url}/api/plans/${id}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
}

const server = useServer({ env: { SEED_DEMO: "1", DEMO_COPIES_PER_HOUR: "4" } });

describe("copies of the demo", () => {
  it("gives every caller a copy of their own, with the whole demo in it; one copy's links open only that copy", async () => {
    const a = await getDemo(server);
    const b = await getDemo(server);
    expect(a.id).not.toBe(b.id);
    expect(a.id).not.toBe("demo");
    expect(tokenOf(a.links.edit)).not.toBe(tokenOf(b.links.edit));
    for (const link of Object.values(a.links))
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/plan\/[A-Za-z0-9]+\?token=/);

    // The copy is the demo: ten territories on Java and 6,000 accounts, scored.
    const analysis = await eventually(async () => {
      const res = await planCall(server, a.id, tokenOf(a.links.view), "/analysis");
      expect(res.status).toBe(200);
      return (await res.json()) as { territories: { accounts: number }[] };
    });
    expect(analysis.territories).toHaveLength(10);
    expect(analysis.territories.reduce((n, t) => n + t.accounts, 0)).toBe(6000);

    // Editing my copy leaves yours alone, and my edit link is no key to yours.
    const ids = async (d: Demo) => {
      const res = await planCall(server, d.id, tokenOf(d.links.view), "/territories");
      return ((await res.json()) as { features: { id: string }[] }).features.map((f) => f.id);
    };
    const [first0] = await ids(a);
    const del = await planCall(server, a.id, tokenOf(a.links.edit), `/territories/${first0}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect(await ids(a)).toHaveLength(9);
    expect(await ids(b)).toHaveLength(10);
    expect((await planCall(server, b.id, tokenOf(a.links.edit))).status).toBe(401);
  });

  it("caps copies per address and hour with a 429 that says what to do", async () => {
    const own = await startServerProcess({ env: { SEED_DEMO: "1", DEMO_COPIES_PER_HOUR: "2" } });
    try {
      await getDemo(own);
      await getDemo(own);
      const res = await fetch(`${own.url}/api/demo`);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /Too many copies of the demo.*reopen the one you have/,
      );
    } finally {
      await own.kill();
    }
  });

  it("answers 404 without a demo (SEED_DEMO=0)", async () => {
    const own = await startServerProcess();
    try {
      const res = await fetch(`${own.url}/api/demo`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/no demo plan/);
    } finally {
      await own.kill();
    }
  });

  it("never hands out the old shared demo's links, and replaces them so they stop working", async () => {
    // A data folder from before: the demo plan with its tokens kept readable.
    const dataDir = await tempDataDir();
    const store = new LowdbStore(dataDir);
    const { access, tokens } = newAccess();
    await store.createPlan({
      id: "demo",
      name: "Demo: Java sales territories",
      createdAt: new Date().toISOString(),
      access,
      publicTokens: tokens,
    });
    await store.close();
    const own = await startServerProcess({ dataDir, env: { SEED_DEMO: "1" } });
    try {
      const text = await (await fetch(`${own.url}/api/demo`)).text();
      for (const token of Object.values(tokens)) expect(text).not.toContain(token);
      expect((await planCall(own, "demo", tokens.edit)).status).toBe(401);
      // The log says the links were replaced, without their new tokens (issue 16).
      expect(own.output()).toMatch(/public links were replaced/);
      expect(own.output()).not.toMatch(/token=/);
      // plan.json holds {crc32, data}; its second copy must have forgotten the tokens too.
      for (const file of ["plan.json", "plan.prev.json"]) {
        const stored = JSON.parse(await fs.readFile(path.join(dataDir, "plans", "demo", file), "utf8")).data;
        expect(stored.meta.publicTokens).toBeUndefined();
        for (const token of Object.values(tokens)) expect(JSON.stringify(stored)).not.toContain(token);
      }
    } finally {
      await own.kill();
    }
  });
});

describe("deleting a plan", () => {
  it("with its edit link: closes its sockets, removes its files, answers 204; comment and view links get 403", async () => {
    const copy = await getDemo(server);
    const dir = path.join(server.dataDir, "plans", copy.id);
    await fs.access(dir);
    for (const role of ["comment", "view"] as const) {
      const res = await planCall(server, copy.id, tokenOf(copy.links[role]), "", { method: "DELETE" });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/cannot delete this plan/);
    }
    const watcher = await RawClient.connect(`${server.wsUrl}/sync/${copy.id}?token=${tokenOf(copy.links.view)}`, null);
    try {
      const res = await planCall(server, copy.id, tokenOf(copy.links.edit), "", { method: "DELETE" });
      expect(res.status).toBe(204);
      await eventually(() => expect(watcher.closed?.code).toBe(CloseCode.planDeleted));
    } finally {
      watcher.close();
    }
    await expect(fs.access(dir)).rejects.toThrow();
    expect((await planCall(server, copy.id, tokenOf(copy.links.edit))).status).toBe(404);
    await expect(
      RawClient.connect(`${server.wsUrl}/sync/${copy.id}?token=${tokenOf(copy.links.edit)}`, null),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("idle copies", () => {
  it("are deleted once idle for the configured time, at start and periodically; a copy in use never is", async () => {
    // Two seconds of idle time, so the test need not wait days.
    const env = { SEED_DEMO: "1", DEMO_COPY_TTL_DAYS: String(2 / 86_400) };
    const own = await startServerProcess({ env });
    let restarted: ServerProcess | null = null;
    try {
      const idle = await getDemo(own);
      // A scenario of the idle copy (issue 14) goes with it.
      const scenario = await fetch(`${own.url}/api/plans/${idle.id}/scenarios`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenOf(idle.links.edit)}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "What if" }),
      });
      expect(scenario.status).toBe(201);
      const scenarioId = ((await scenario.json()) as { id: string }).id;
      const used = await getDemo(own);
      const editor = await RawClient.connect(`${own.wsUrl}/sync/${used.id}?token=${tokenOf(used.links.edit)}`, null);
      const status = async (s: ServerProcess, d: Demo) => (await planCall(s, d.id, tokenOf(d.links.view))).status;
      try {
        await eventually(async () => expect(await status(own, idle)).toBe(404), 15_000, 200);
        // Well past its idle time, the copy with a socket open is still there.
        await new Promise((r) => setTimeout(r, 2_500));
        expect(await status(own, used)).toBe(200);
        expect(editor.closed).toBeNull();
      } finally {
        editor.close();
      }
      await eventually(async () => expect(await status(own, used)).toBe(404), 15_000, 200);
      await expect(fs.access(path.join(own.dataDir, "plans", idle.id))).rejects.toThrow();
      await eventually(() => expect(fs.access(path.join(own.dataDir, "plans", scenarioId))).rejects.toThrow());

      // A copy left idle while the server was down is deleted when it starts.
      const kept = await getDemo(own);
      await own.kill();
      await new Promise((r) => setTimeout(r, 2_500));
      restarted = await startServerProcess({ dataDir: own.dataDir, env });
      expect(await status(restarted, kept)).toBe(404);
      expect(restarted.output()).toMatch(/deleted 1 demo copies/);
    } finally {
      await own.kill();
      await restarted?.kill();
    }
  });
});
