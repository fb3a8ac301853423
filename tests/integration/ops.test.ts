/**
 * What operators read (issue 16): JSON logs without tokens, /metrics,
 * /api/ready, and the three answering without a token or a rate limit.
 * Against the real server in its own process, real sockets.
 */
import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { writeTerritory } from "../../shared/doc/schema.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { remoteEdit } from "../fixtures/remote-edit.ts";
import { square } from "../fixtures/shapes.ts";
import {
  createPlanWithLinks,
  eventually,
  logged,
  logLines,
  startServerProcess,
  tempDataDir,
  useServer,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/** A data folder holding a plan from before share links existed: the server makes its links on first use. */
const LINKLESS = "oldplan1";
const dataDir = await tempDataDir();
{
  const store = new LowdbStore(dataDir);
  await store.createPlan({ id: LINKLESS, name: "Before links", createdAt: new Date().toISOString() });
  await store.close();
}

const server = useServer({ dataDir });

/** The value of one series in Prometheus text (`name{labels} value`), labels matched by substring. */
function sample(text: string, name: string, labels = ""): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels && !line.includes(labels)) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

async function metrics(url: string, init?: RequestInit): Promise<string> {
  const res = await fetch(`${url}/metrics`, init);
  expect(res.status).toBe(200);
  return res.text();
}

function territoryEdit(client: RawClient, id: string): Uint8Array {
  return remoteEdit(client.doc, (doc) =>
    transact(doc, LOCAL_EDIT, () =>
      writeTerritory(doc, {
        id,
        name: id,
        color: "#1b9e77",
        reps: [],
        targets: {},
        parent: null,
        geometry: square(106, -7),
      }),
    ),
  );
}

describe("logs", () => {
  it("are one JSON object a line, requests and sockets with their ids, and never a token", async () => {
    const plan = await createPlanWithLinks(server, "Logged");
    const tokens = Object.values(plan.tokens);

    const byQuery = await fetch(`${server.url}/api/plans/${plan.id}?token=${plan.tokens.edit}`, {
      headers: { "x-request-id": "lb-4f2a:17" },
    });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get("x-request-id")).toBe("lb-4f2a:17");
    const byHeader = await fetch(`${server.url}/api/plans/${plan.id}/territories`, {
      headers: { authorization: `Bearer ${plan.tokens.comment}`, "x-request-id": "not an id <b>" },
    });
    expect(byHeader.status).toBe(200);
    // Not an id: replaced by one of the server's own.
    expect(byHeader.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${server.url}/api/plans/${plan.id}?token=not-${plan.tokens.view}`)).status).toBe(401);
    // The plan from before links: its links are made now, their tokens never logged.
    expect((await fetch(`${server.url}/api/plans/${LINKLESS}`)).status).toBe(401);

    const viewer = await RawClient.connect(
      `${server.wsUrl}/sync/${plan.id}?token=${plan.tokens.view}&person=p1&secret=very-private`,
      null,
    );
    await eventually(() => expect(viewer.synced).toBe(true));
    viewer.close();
    await expect(RawClient.connect(`${server.wsUrl}/sync/${plan.id}?token=wrong`, null)).rejects.toMatchObject({
      status: 401,
    });

    await eventually(() => expect(logged(server, { msg: "socket closed", planId: plan.id })).toHaveLength(1));
    await eventually(() => expect(logged(server, { msg: "upgrade refused", planId: plan.id })).toHaveLength(1));

    // Every line parses (logLines throws on one that does not) and none holds a credential.
    const lines = logLines(server);
    const output = server.output();
    for (const token of tokens) expect(output).not.toContain(token);
    expect(output).not.toContain("very-private");
    expect(output).not.toMatch(/token=(?!\[redacted\])/);

    const requests = lines.filter((l) => l.msg === "request");
    for (const r of requests) expect(r.reqId).toEqual(expect.any(String));
    expect(requests.find((r) => r.reqId === "lb-4f2a:17")).toMatchObject({
      component: "http",
      method: "GET",
      path: `/api/plans/${plan.id}`,
      planId: plan.id,
      status: 200,
      ms: expect.any(Number),
    });
    expect(requests.find((r) => r.path === `/api/plans/${plan.id}/territories`)?.reqId).toBe(
      byHeader.headers.get("x-request-id"),
    );

    const opened = logged(server, { msg: "socket opened", planId: plan.id })[0];
    const closed = logged(server, { msg: "socket closed", planId: plan.id })[0];
    expect(opened).toMatchObject({ component: "sync", role: "view", reqId: expect.any(String) });
    expect(closed).toMatchObject({ role: "view", code: 1005, ms: expect.any(Number), reqId: opened?.reqId });
    expect(logged(server, { msg: "upgrade refused", planId: plan.id })[0]).toMatchObject({ status: 401 });

    expect(logged(server, { component: "access", planId: LINKLESS })[0]).toMatchObject({
      links: ["edit", "comment", "view"],
    });
  });

  it("leave out answered probes at the default level, and keep the others", async () => {
    const probe = "lb-probe-1";
    for (const path of ["/api/health", "/api/ready", "/metrics"]) {
      expect((await fetch(`${server.url}${path}`, { headers: { "x-request-id": probe } })).status).toBe(200);
    }
    const missing = await fetch(`${server.url}/api/nothing-here`, { headers: { "x-request-id": "after-probes" } });
    expect(missing.status).toBe(404);
    // The line after the probes is in, so the probes' lines would be too if they were written.
    await eventually(() => expect(logged(server, { msg: "request", reqId: "after-probes" })).toHaveLength(1));
    expect(logged(server, { msg: "request", reqId: probe })).toEqual([]);
  });
});

describe("GET /metrics", () => {
  it("counts sockets, accepted and refused updates and commits, labelled with the instance", async () => {
    const plan = await createPlanWithLinks(server, "Measured");
    const before = await metrics(server.url);
    // Every sample line is `name{labels} value` with a number, and carries the instance.
    for (const line of before.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*instance="[^"]+"[^}]*\} [-+0-9.eE]+|NaN|[+-]Inf$/);
    }
    for (const name of [
      "wilayah_open_sockets",
      "wilayah_loaded_plans",
      "wilayah_updates_accepted_total",
      "wilayah_commit_seconds_count",
      "wilayah_scoring_seconds_count",
      "wilayah_event_loop_lag_seconds",
      "wilayah_owner_moves_total",
      "process_cpu_seconds_total",
    ]) {
      expect(before).toMatch(new RegExp(`^${name}\\{`, "m"));
    }
    expect(before).toContain(`instance="`);

    const manager = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, "edit");
    const leader = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, "view");
    await eventually(() => expect(manager.synced && leader.synced).toBe(true));
    manager.sendUpdate(territoryEdit(manager, "north"));
    leader.sendUpdate(territoryEdit(leader, "south"));
    await eventually(() => expect(leader.refusals).toHaveLength(1));

    await eventually(async () => {
      const after = await metrics(server.url);
      expect(sample(after, "wilayah_updates_accepted_total")).toBe(
        sample(before, "wilayah_updates_accepted_total") + 1,
      );
      expect(sample(after, "wilayah_updates_refused_total", 'reason="forbidden"')).toBe(
        sample(before, "wilayah_updates_refused_total", 'reason="forbidden"') + 1,
      );
      expect(sample(after, "wilayah_commit_seconds_count")).toBeGreaterThan(
        sample(before, "wilayah_commit_seconds_count"),
      );
      expect(sample(after, "wilayah_open_sockets")).toBe(sample(before, "wilayah_open_sockets") + 2);
      expect(sample(after, "wilayah_loaded_plans")).toBeGreaterThanOrEqual(1);
      expect(sample(after, "wilayah_scoring_seconds_count")).toBeGreaterThan(0);
    });
    manager.close();
    leader.close();
    await eventually(async () =>
      expect(sample(await metrics(server.url), "wilayah_open_sockets")).toBe(sample(before, "wilayah_open_sockets")),
    );
  });
});

describe("GET /api/ready", () => {
  it("answers 200 with each check when storage and the scoring worker answer", async () => {
    const res = await fetch(`${server.url}/api/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      checks: { storage: { ok: true }, scoring: { ok: true } },
      damagedPlans: [],
    });
  });
});

describe("without a token and without a rate limit", () => {
  it("health, readiness and metrics answer every call; METRICS_TOKEN guards /metrics", async () => {
    const limited = await startServerProcess({
      env: { RATE_LIMIT_PER_SEC: "1", RATE_LIMIT_BURST: "1", METRICS_TOKEN: "scrape-secret", INSTANCE_ID: "wil-a" },
    });
    try {
      const auth = { headers: { authorization: "Bearer scrape-secret" } };
      for (const path of ["/api/health", "/api/ready", "/metrics"]) {
        const statuses = await Promise.all(
          Array.from({ length: 20 }, async () => (await fetch(`${limited.url}${path}`, auth)).status),
        );
        expect(statuses, path).toEqual(Array(20).fill(200));
      }
      // The limiter is on for everything else.
      const others = await Promise.all(
        Array.from({ length: 5 }, async () => (await fetch(`${limited.url}/api/plans/nope`)).status),
      );
      expect(others).toContain(429);

      expect((await fetch(`${limited.url}/metrics`)).status).toBe(401);
      expect(
        (await fetch(`${limited.url}/metrics`, { headers: { authorization: "Bearer scrape-secreT" } })).status,
      ).toBe(401);
      const text = await metrics(limited.url, auth);
      expect(text).toMatch(/^wilayah_open_sockets\{instance="wil-a"\} 0$/m);
      expect(limited.output()).not.toContain("scrape-secret");
    } finally {
      await limited.kill();
      await fs.rm(limited.dataDir, { recursive: true, force: true });
    }
  });
});
