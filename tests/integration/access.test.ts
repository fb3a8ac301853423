import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import {
  commentsMap,
  deleteTerritory,
  readTerritory,
  updateTerritory,
  writeAllowedDeviation,
  writePin,
  writePlanName,
  writeTerritory,
} from "../../shared/doc/schema.ts";
import { CloseCode } from "../../shared/protocol/messages.ts";
import { square } from "../fixtures/shapes.ts";
import {
  apiFetch,
  connectStockClient,
  createPlanWithLinks,
  eventually,
  type LinkRole,
  newPerson,
  startServerProcess,
  tempDataDir,
  useServer,
  addTerritories,
} from "./harness.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { RawClient } from "./raw-client.ts";

const server = useServer();

function territory(id: string, name: string, x = 106) {
  return { id, name, color: "#1b9e77", reps: [], targets: {}, parent: null, geometry: square(x, -7) };
}

/** The update `fn` makes on a copy of what `client` has synced, as a client would send it. */
function editOn(client: RawClient, fn: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(client.doc));
  const updates: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => updates.push(u));
  transact(doc, LOCAL_EDIT, () => fn(doc));
  return Y.mergeUpdates(updates);
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** A plan with one territory, a manager and an observer connected with the edit link. */
async function planWithManager() {
  const plan = await createPlanWithLinks(server, "Access");
  await addTerritories(server, plan.id, {
    type: "Feature",
    id: "t1",
    properties: { name: "Bandung" },
    geometry: square(107, -7),
  });
  const observer = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`);
  await eventually(() => expect(readTerritory(observer.doc, "t1")?.name).toBe("Bandung"));
  return { plan, observer };
}

describe("tokens at the door", () => {
  it("refuses a socket without a token, with a wrong one or with another plan's, with 401 at the upgrade", async () => {
    const a = await createPlanWithLinks(server);
    const b = await createPlanWithLinks(server);
    const url = `${server.wsUrl}/sync/${a.id}`;
    for (const [label, token, reason] of [
      ["none", null, "missing"],
      ["wrong", "not-a-real-token", "invalid"],
      ["another plan's", b.tokens.edit, "invalid"],
    ] as const) {
      const attempt = RawClient.connect(token ? `${url}?token=${token}` : url, null);
      await expect(attempt, label).rejects.toMatchObject({ status: 401 });
      const body = JSON.parse(((await attempt.catch((e) => e)) as { body: string }).body);
      expect(body.reason, label).toBe(reason);
      expect(body.error, label).toMatch(/link/);
    }
    // Each role's own token opens it.
    for (const role of ["edit", "comment", "view"] as const) {
      const c = await RawClient.connect(`${url}?token=${a.tokens[role]}`, null);
      await eventually(() => expect(c.synced).toBe(true));
      c.close();
    }
  });

  it("answers 401 on every plan endpoint without a valid token, and 404 for a plan that does not exist", async () => {
    const a = await createPlanWithLinks(server);
    const b = await createPlanWithLinks(server);
    const paths = ["", "/territories", "/analysis", "/accounts", "/comments", "/activity"];
    for (const p of paths) {
      const none = await fetch(`${server.url}/api/plans/${a.id}${p}`);
      expect(none.status, p).toBe(401);
      expect((await json(none)).reason).toBe("missing");
      const cross = await fetch(`${server.url}/api/plans/${a.id}${p}`, {
        headers: { authorization: `Bearer ${b.tokens.edit}` },
      });
      expect(cross.status, p).toBe(401);
      expect((await json(cross)).reason).toBe("invalid");
    }
    expect((await fetch(`${server.url}/api/plans/nosuchplan?token=x`)).status).toBe(404);
  });

  it("tells each link its role, by header or query", async () => {
    const a = await createPlanWithLinks(server, "Roles");
    for (const role of ["edit", "comment", "view"] as const) {
      const byHeader = await fetch(`${server.url}/api/plans/${a.id}`, {
        headers: { authorization: `Bearer ${a.tokens[role]}` },
      });
      expect(await json(byHeader)).toMatchObject({ id: a.id, name: "Roles", role });
      const byQuery = await fetch(a.links[role].replace("/plan/", "/api/plans/"));
      expect((await json(byQuery)).role).toBe(role);
    }
  });

  it("stores only hashes of the tokens", async () => {
    const a = await createPlanWithLinks(server);
    const fs = await import("node:fs/promises");
    const stored = await fs.readFile(`${server.dataDir}/plans/${a.id}/plan.json`, "utf8");
    for (const token of Object.values(a.tokens)) expect(stored).not.toContain(token);
    for (const token of Object.values(a.tokens)) expect(token.length).toBeGreaterThanOrEqual(43);
  });
});

describe("read-only links on the sync socket", () => {
  const forbidden: [string, (doc: Y.Doc) => void][] = [
    ["create a territory", (doc) => writeTerritory(doc, territory("t9", "Mine", 110))],
    ["rename a territory", (doc) => updateTerritory(doc, "t1", { name: "Renamed" })],
    ["reshape a territory", (doc) => updateTerritory(doc, "t1", { geometry: square(107, -7, 0.5) })],
    ["delete a territory", (doc) => deleteTerritory(doc, "t1")],
    ["rename the plan", (doc) => writePlanName(doc, "Mine now")],
    ["change the allowed deviation", (doc) => writeAllowedDeviation(doc, 0.5)],
    ["pin an account", (doc) => writePin(doc, "a1", "t1")],
    ["write a comment directly", (doc) => commentsMap(doc).set("c1", { id: "c1", text: "forged" })],
  ];

  for (const role of ["comment", "view"] as const) {
    for (const [label, fn] of forbidden) {
      it(`a ${role} link cannot ${label}: refused, not relayed, not stored, others still served`, async () => {
        const { plan, observer } = await planWithManager();
        const reader = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, role);
        try {
          await eventually(() => expect(readTerritory(reader.doc, "t1")).not.toBeNull());
          const before = Y.encodeStateVector(observer.doc);
          reader.sendUpdate(editOn(reader, fn));
          await eventually(() => expect(reader.refusals).toHaveLength(1));
          expect(reader.refusals[0]).toMatchObject({ code: "forbidden", reset: true });
          expect(reader.refusals[0]?.message).toMatch(role === "view" ? /only lets you watch/ : /comment but not/);
          expect(reader.closed).toBeNull();
          await eventually(() => expect(reader.permissionDenied).toEqual([reader.refusals[0]?.message]));

          // The manager still edits, and everyone (the reader too) gets it; the forbidden change went nowhere.
          const manager = connectStockClient(server, plan.id);
          try {
            await eventually(() => expect(readTerritory(manager.doc, "t1")).not.toBeNull());
            transact(manager.doc, LOCAL_EDIT, () => updateTerritory(manager.doc, "t1", { name: "Still served" }));
            await eventually(() => expect(readTerritory(observer.doc, "t1")?.name).toBe("Still served"));
            await eventually(() => expect(readTerritory(reader.doc, "t1")?.name).toBe("Still served"));
          } finally {
            manager.destroy();
          }
          const fc = await json(await apiFetch(`${server.url}/api/plans/${plan.id}/territories`));
          expect((fc.features as { id: string }[]).map((f) => f.id)).toEqual(["t1"]);
          const comments = await json(await apiFetch(`${server.url}/api/plans/${plan.id}/comments`));
          expect(comments.threads).toEqual([]);
          // Nothing beyond the manager's rename reached the observer.
          const diff = Y.encodeStateAsUpdate(observer.doc, before);
          const check = new Y.Doc();
          Y.applyUpdate(check, diff);
          expect(check.getMap("plan").size).toBe(0);
          expect(check.getMap("pins").size).toBe(0);
        } finally {
          reader.close();
          observer.close();
        }
      });
    }
  }

  it("an edit link cannot write comments into the document either", async () => {
    const { plan, observer } = await planWithManager();
    try {
      observer.sendUpdate(editOn(observer, (doc) => commentsMap(doc).set("c1", { id: "c1", text: "forged" })));
      await eventually(() => expect(observer.refusals).toHaveLength(1));
      expect(observer.refusals[0]?.message).toMatch(/comments are written by the server/);
      const comments = await json(await apiFetch(`${server.url}/api/plans/${plan.id}/comments`));
      expect(comments.threads).toEqual([]);
    } finally {
      observer.close();
    }
  });

  it("binds presence to the connection: a viewer cannot pose as a manager or as someone else", async () => {
    const { plan, observer } = await planWithManager();
    const lina = await newPerson(server);
    const viewer = await RawClient.connect(
      `${server.wsUrl}/sync/${plan.id}?person=${lina.id}&secret=${lina.secret}&name=Lina`,
      "view",
    );
    try {
      viewer.sendAwareness(4242, 1, { user: { name: "Boss", id: "p-manager", role: "edit" }, cursor: null });
      await eventually(() =>
        expect(observer.awareness.get(4242)).toMatchObject({ user: { name: "Boss", id: lina.id, role: "view" } }),
      );
    } finally {
      viewer.close();
      observer.close();
    }
  });
});

describe("roles on the REST API", () => {
  type Call = [string, string, string, unknown?];
  const writes = (planId: string): Call[] => [
    [
      "add a territory",
      "POST",
      `/api/plans/${planId}/territories`,
      { type: "Feature", properties: { name: "X" }, geometry: square(110, -7) },
    ],
    [
      "change a territory",
      "PUT",
      `/api/plans/${planId}/territories/t1`,
      { type: "Feature", properties: { name: "Y" } },
    ],
    ["delete a territory", "DELETE", `/api/plans/${planId}/territories/t1`],
    ["import accounts", "POST", `/api/plans/${planId}/accounts`, "id,name,lat,lon\na1,A,-7.0,107.1\n"],
    ["replace a link", "POST", `/api/plans/${planId}/links/view/rotate`, {}],
  ];

  for (const role of ["comment", "view"] as const) {
    it(`a ${role} link gets 403 for every write, and nothing changes`, async () => {
      const { plan, observer } = await planWithManager();
      observer.close();
      for (const [label, method, path, body] of writes(plan.id)) {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${plan.tokens[role]}`,
            "content-type": typeof body === "string" ? "text/csv" : "application/json",
          },
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        });
        expect(res.status, label).toBe(403);
        expect(String((await json(res)).error), label).toMatch(/link/);
      }
      const fc = await json(await apiFetch(`${server.url}/api/plans/${plan.id}/territories`));
      expect((fc.features as { properties: { name: string } }[]).map((f) => f.properties.name)).toEqual(["Bandung"]);
      const accounts = await json(await apiFetch(`${server.url}/api/plans/${plan.id}/accounts`));
      expect(accounts.features).toEqual([]);
      // Reading is fine.
      const read = await fetch(`${server.url}/api/plans/${plan.id}/territories`, {
        headers: { authorization: `Bearer ${plan.tokens[role]}` },
      });
      expect(read.status).toBe(200);
    });
  }

  it("a viewer may not comment; a rep may", async () => {
    const { plan, observer } = await planWithManager();
    observer.close();
    const post = (role: LinkRole) =>
      fetch(`${server.url}/api/plans/${plan.id}/comments`, {
        method: "POST",
        headers: { authorization: `Bearer ${plan.tokens[role]}`, "content-type": "application/json" },
        body: JSON.stringify({ text: "Hello", at: [107.05, -6.95] }),
      });
    expect((await post("view")).status).toBe(403);
    expect((await post("comment")).status).toBe(201);
  });
});

describe("link rotation", () => {
  it("cuts off the old link's open sockets at once and refuses it afterwards as revoked; others keep going", async () => {
    const { plan, observer } = await planWithManager();
    const viewer = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, "view");
    const rep = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, "comment");
    try {
      await eventually(() => expect(viewer.synced && rep.synced).toBe(true));
      const res = await apiFetch(`${server.url}/api/plans/${plan.id}/links/view/rotate`, { method: "POST" });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.role).toBe("view");
      const fresh = new URL(String(body.link)).searchParams.get("token") as string;
      expect(fresh).not.toBe(plan.tokens.view);

      await eventually(() => expect(viewer.closed?.code).toBe(CloseCode.linkRevoked));
      expect(rep.closed).toBeNull();
      expect(observer.closed).toBeNull();

      const again = RawClient.connect(`${server.wsUrl}/sync/${plan.id}?token=${plan.tokens.view}`, null);
      await expect(again).rejects.toMatchObject({ status: 401 });
      expect(JSON.parse(((await again.catch((e) => e)) as { body: string }).body).reason).toBe("revoked");
      const api = await fetch(`${server.url}/api/plans/${plan.id}?token=${plan.tokens.view}`);
      expect(api.status).toBe(401);
      expect((await json(api)).reason).toBe("revoked");

      const newViewer = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}?token=${fresh}`, null);
      await eventually(() => expect(newViewer.synced).toBe(true));
      newViewer.close();
      // The manager still edits and the rep still sees it.
      observer.sendUpdate(editOn(observer, (doc) => updateTerritory(doc, "t1", { name: "After rotation" })));
      await eventually(() => expect(readTerritory(rep.doc, "t1")?.name).toBe("After rotation"));
    } finally {
      viewer.close();
      rep.close();
      observer.close();
    }
  });
});

describe("the administrator's way back into a plan", () => {
  it("ADMIN_TOKEN replaces a plan's edit link when nobody holds one (a plan from before links), and opens nothing else", async () => {
    const dataDir = await tempDataDir();
    const store = new LowdbStore(dataDir);
    await store.createPlan({ id: "oldplan2", name: "Before links", createdAt: new Date().toISOString() });
    await store.close();
    const admin = "s3cret-admin-token";
    const guarded = await startServerProcess({ dataDir, env: { ADMIN_TOKEN: admin } });
    try {
      const rotate = (planId: string, token: string, role = "edit") =>
        fetch(`${guarded.url}/api/plans/${planId}/links/${role}/rotate`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        });
      // A wrong token is any wrong token: 401, nothing replaced.
      expect((await rotate("oldplan2", "s3cret-admin-tokeN")).status).toBe(401);
      expect((await rotate("nosuchplan", admin)).status).toBe(404);
      // The administrator's token opens nothing but the replacing.
      expect((await fetch(`${guarded.url}/api/plans/oldplan2?token=${admin}`)).status).toBe(401);

      const res = await rotate("oldplan2", admin);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { role: string; link: string };
      expect(body.role).toBe("edit");
      const token = new URL(body.link).searchParams.get("token") as string;
      const plan = await fetch(`${guarded.url}/api/plans/oldplan2`, { headers: { authorization: `Bearer ${token}` } });
      expect(plan.status).toBe(200);
      // With the edit link the manager gets every other link the usual way.
      const view = await rotate("oldplan2", token, "view");
      expect(view.status).toBe(200);

      // The feed says who did it.
      const feed = (await (
        await fetch(`${guarded.url}/api/plans/oldplan2/activity`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { entries: { kind: string; actor: { name: string; id: string } }[] };
      const rotations = feed.entries.filter((e) => e.kind === "link-rotated");
      expect(rotations.map((e) => e.actor.name)).toEqual(["API client", "Server administrator"]);
      expect(rotations[1]?.actor.id).toBe("anon-edit");
      // The token is never logged.
      expect(guarded.output()).not.toContain(admin);
      expect(guarded.output()).not.toContain(token);
    } finally {
      await guarded.kill();
    }
  });

  it("without ADMIN_TOKEN set, no token is the administrator's", async () => {
    const plan = await createPlanWithLinks(server);
    const res = await fetch(`${server.url}/api/plans/${plan.id}/links/edit/rotate`, {
      method: "POST",
      headers: { authorization: "Bearer admin" },
    });
    expect(res.status).toBe(401);
  });
});

describe("limits", () => {
  it("guards plan creation with ADMIN_TOKEN when it is set", async () => {
    const guarded = await startServerProcess({ env: { ADMIN_TOKEN: "s3cret-admin-token" } });
    try {
      const create = (auth?: string) =>
        fetch(`${guarded.url}/api/plans`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
          body: "{}",
        });
      expect((await create()).status).toBe(401);
      expect((await create("wrong")).status).toBe(403);
      expect((await create("s3cret-admin-token")).status).toBe(201);
    } finally {
      await guarded.kill();
    }
  });

  it("answers 429 past the request rate, 503 past the connections per plan, and refuses territories past the plan's limit", async () => {
    const limited = await startServerProcess({
      env: { RATE_LIMIT_PER_SEC: "1", RATE_LIMIT_BURST: "12", MAX_CONNECTIONS_PER_PLAN: "2", MAX_TERRITORIES: "1" },
    });
    try {
      const plan = await createPlanWithLinks(limited);
      const a = await RawClient.connect(`${limited.wsUrl}/sync/${plan.id}`);
      const b = await RawClient.connect(`${limited.wsUrl}/sync/${plan.id}`);
      await expect(RawClient.connect(`${limited.wsUrl}/sync/${plan.id}`)).rejects.toMatchObject({ status: 503 });
      a.sendUpdate(editOn(a, (doc) => writeTerritory(doc, territory("one", "One"))));
      await eventually(() => expect(readTerritory(b.doc, "one")?.name).toBe("One"));
      a.sendUpdate(editOn(a, (doc) => writeTerritory(doc, territory("two", "Two", 108))));
      await eventually(() => expect(a.refusals).toHaveLength(1));
      expect(a.refusals[0]?.message).toMatch(/limit of 1 territories/);
      a.close();
      b.close();

      // Any API call counts (health, readiness and metrics do not: tests/integration/ops.test.ts).
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${limited.url}/api/plans/${plan.id}`)).status);
      expect(statuses).toContain(429);
      const refused = await fetch(`${limited.url}/api/plans/${plan.id}`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await json(refused)).error).toMatch(/Too many requests/);
    } finally {
      await limited.kill();
    }
  });
});
