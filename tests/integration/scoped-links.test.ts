import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readPins, readTerritory, updateTerritory, writePin, writeTerritory } from "../../shared/doc/schema.ts";
import type { Territory } from "../../shared/doc/territory.ts";
import { remoteEdit } from "../fixtures/remote-edit.ts";
import { box } from "../fixtures/shapes.ts";
import {
  addAccounts,
  addTerritories,
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  type ServerProcess,
  serversPerTest,
  territoryNames,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/**
 * Issue 15: an edit link scoped to some territories or a region. Three
 * neighbours near Bandung in a row: Arcamanik and Buahbatu in the region
 * "timur", Cicadas in "barat".
 */
const TERRITORIES = {
  type: "FeatureCollection",
  features: [
    {
      type: "Feature",
      id: "a",
      properties: { name: "Arcamanik", parent: "timur" },
      geometry: box(107.5, -7, 107.6, -6.9),
    },
    {
      type: "Feature",
      id: "b",
      properties: { name: "Buahbatu", parent: "timur" },
      geometry: box(107.6, -7, 107.7, -6.9),
    },
    {
      type: "Feature",
      id: "c",
      properties: { name: "Cicadas", parent: "barat" },
      geometry: box(107.7, -7, 107.8, -6.9),
    },
  ],
};

const newServer = serversPerTest();

interface Made {
  id: string;
  role: string;
  label: string;
  scope: unknown;
  link: string;
  token: string;
}

async function call(
  server: ServerProcess,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function scopedLink(server: ServerProcess, plan: CreatedPlan, spec: Record<string, unknown>): Promise<Made> {
  const made = await call(server, plan.tokens.edit, "POST", `/api/plans/${plan.id}/links`, spec);
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const link = made.body.link as string;
  return { ...(made.body as unknown as Made), token: new URL(link).searchParams.get("token") as string };
}

async function setUp(): Promise<{ server: ServerProcess; plan: CreatedPlan; north: Made }> {
  const server = await newServer();
  const plan = await createPlanWithLinks(server, "Bandung");
  await addTerritories(server, plan.id, TERRITORIES);
  const north = await scopedLink(server, plan, { role: "edit", label: "Timur's manager", scope: { parent: "timur" } });
  return { server, plan, north };
}

async function socket(server: ServerProcess, plan: CreatedPlan, token: string): Promise<RawClient> {
  const c = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}?token=${token}`, null);
  await eventually(() => expect(c.synced).toBe(true));
  return c;
}

/** Sends an edit made on a copy of what the client has; `keep`: the client keeps it, as an accepted edit. */
function edit(client: RawClient, fn: (doc: Y.Doc) => void, keep = false): void {
  const update = remoteEdit(client.doc, (doc) => transact(doc, LOCAL_EDIT, () => fn(doc)));
  client.sendUpdate(update);
  if (keep) Y.applyUpdate(client.doc, update);
}

function nameIn(doc: Y.Doc, id: string): string | undefined {
  return readTerritory(doc, id)?.name;
}

describe("a scoped edit link's socket", () => {
  it("has its out-of-scope changes refused (not relayed, not stored) while its in-scope edits go through", async () => {
    const { server, plan, north } = await setUp();
    expect(north).toMatchObject({ role: "edit", label: "Timur's manager", scope: { parent: "timur" } });
    expect(north.id).toMatch(/^l-/);
    const regional = await socket(server, plan, north.token);
    const manager = await socket(server, plan, plan.tokens.edit);

    // Another region's territory.
    edit(regional, (doc) => updateTerritory(doc, "c", { name: "Mine now" }));
    await eventually(() => expect(regional.refusals).toHaveLength(1));
    expect(regional.refusals[0]).toMatchObject({
      code: "out-of-scope",
      reset: true,
      reason: "outside",
      territories: ["c"],
    });
    expect(regional.refusals[0]?.message).toMatch(/Cicadas, outside the territories your link may edit/);
    // A border moved with a neighbour outside: the neighbour is written.
    edit(regional, (doc) => {
      updateTerritory(doc, "b", { geometry: box(107.6, -7, 107.75, -6.9) });
      updateTerritory(doc, "c", { geometry: box(107.75, -7, 107.8, -6.9) });
    });
    // A shape pushed over the neighbour outside, the neighbour untouched.
    edit(regional, (doc) => updateTerritory(doc, "b", { geometry: box(107.6, -7, 107.75, -6.9) }));
    // A territory moved to the region, and a plan setting.
    edit(regional, (doc) => updateTerritory(doc, "a", { parent: "barat" }));
    await eventually(() => expect(regional.refusals).toHaveLength(4));
    expect(regional.refusals.slice(1).map((r) => [r.reason, r.territories])).toEqual([
      ["outside", ["c"]],
      ["overlap", ["c"]],
      ["parent", ["a"]],
    ]);

    // The socket stays usable: inside its region it edits, draws and splits.
    edit(regional, (doc) => updateTerritory(doc, "a", { name: "Arcamanik Raya" }));
    const drawn: Territory = {
      id: "d",
      name: "Dago",
      color: "#1b9e77",
      reps: [],
      targets: {},
      parent: "timur",
      geometry: box(107.5, -6.9, 107.6, -6.8),
    };
    edit(regional, (doc) => writeTerritory(doc, drawn));
    await eventually(() => expect(nameIn(manager.doc, "a")).toBe("Arcamanik Raya"));
    await eventually(() => expect(nameIn(manager.doc, "d")).toBe("Dago"));
    expect(regional.refusals).toHaveLength(4);
    expect(regional.closed).toBeNull();
    // Nothing refused reached the manager.
    expect(nameIn(manager.doc, "c")).toBe("Cicadas");
    expect(readTerritory(manager.doc, "b")?.geometry).toEqual(box(107.6, -7, 107.7, -6.9));
    expect(readTerritory(manager.doc, "a")?.parent).toBe("timur");
    regional.close();
    manager.close();

    // Nor was it stored: the same after a restart (kill -9).
    await server.kill("SIGKILL");
    const again = await newServer({ dataDir: server.dataDir });
    const names = await fetch(`${again.url}/api/plans/${plan.id}/territories?token=${plan.tokens.view}`).then(
      (r) => r.json() as Promise<{ features: { id: string; properties: Territory }[] }>,
    );
    const byId = Object.fromEntries(names.features.map((f) => [f.id, f.properties]));
    expect(byId.a).toMatchObject({ name: "Arcamanik Raya", parent: "timur" });
    expect(byId.c?.name).toBe("Cicadas");
    expect(byId.d?.name).toBe("Dago");
  });

  it("by ids: a territory it draws joins its scope, also in the link's record", async () => {
    const server = await newServer();
    const plan = await createPlanWithLinks(server, "Bandung");
    await addTerritories(server, plan.id, TERRITORIES);
    const mine = await scopedLink(server, plan, {
      role: "edit",
      label: "Arcamanik only",
      scope: { territories: ["a"] },
    });
    const regional = await socket(server, plan, mine.token);
    edit(
      regional,
      (doc) =>
        writeTerritory(doc, {
          id: "n",
          name: "New",
          color: "#1b9e77",
          reps: [],
          targets: {},
          parent: null,
          geometry: box(107.5, -6.9, 107.6, -6.8),
        }),
      true,
    );
    edit(regional, (doc) => updateTerritory(doc, "n", { name: "Newer" }));
    edit(regional, (doc) => updateTerritory(doc, "b", { name: "Not mine" }));
    await eventually(() => expect(regional.refusals).toHaveLength(1));
    expect(regional.refusals[0]?.territories).toEqual(["b"]);
    await eventually(async () => expect((await territoryNames(server, plan.id)).n).toBe("Newer"));
    await eventually(async () => {
      const listed = await call(server, plan.tokens.edit, "GET", `/api/plans/${plan.id}/links`);
      const link = (listed.body.links as { id: string; scope: unknown }[]).find((l) => l.id === mine.id);
      expect(link?.scope).toEqual({ territories: ["a", "n"] });
    });
    regional.close();
  });
});

describe("a scoped edit link's pins", () => {
  it("may not pin an account lying in a territory outside its scope, may pin one inside", async () => {
    const { server, plan, north } = await setUp();
    await addAccounts(
      server,
      plan.id,
      "id,name,lat,lon\ntoko-c,Toko Cicadas,-6.95,107.75\ntoko-a,Toko Arcamanik,-6.95,107.55\n",
    );
    const regional = await socket(server, plan, north.token);
    // The analysis that places the accounts has reached the socket, and is the server's latest.
    await eventually(() => expect(regional.analysis?.accountsVersion).toBeGreaterThanOrEqual(1));
    await eventually(async () => {
      const a = await call(server, plan.tokens.view, "GET", `/api/plans/${plan.id}/analysis`);
      expect(a.body.unassignedAccountIds).toEqual([]);
    });
    edit(regional, (doc) => writePin(doc, "toko-c", "a"));
    await eventually(() => expect(regional.refusals).toHaveLength(1));
    expect(regional.refusals[0]).toMatchObject({ code: "out-of-scope", territories: ["c"] });
    edit(regional, (doc) => writePin(doc, "toko-a", "b"));
    const manager = await socket(server, plan, plan.tokens.edit);
    await eventually(() => expect(readPins(manager.doc).get("toko-a")).toBe("b"));
    expect(readPins(manager.doc).has("toko-c")).toBe(false);
    expect(regional.refusals).toHaveLength(1);
    regional.close();
    manager.close();
  });
});

describe("a scoped edit link over REST", () => {
  it("is refused outside its scope with 403 naming the territories, and for plan-wide calls", async () => {
    const { server, plan, north } = await setUp();
    const p = `/api/plans/${plan.id}`;
    const as = (method: string, path: string, body?: unknown) => call(server, north.token, method, `${p}${path}`, body);

    const outside = await as("PUT", "/territories/c", { type: "Feature", properties: { name: "Mine now" } });
    expect(outside.status).toBe(403);
    expect(outside.body).toMatchObject({ territories: ["c"], reason: "outside" });
    expect(outside.body.error).toMatch(/Cicadas/);
    expect((await as("DELETE", "/territories/c")).body).toMatchObject({ territories: ["c"] });
    expect(
      (await as("PUT", "/territories/b", { type: "Feature", geometry: box(107.6, -7, 107.75, -6.9) })).body,
    ).toMatchObject({ territories: ["c"], reason: "overlap" });
    expect((await as("PUT", "/territories/a", { type: "Feature", properties: { parent: "barat" } })).status).toBe(403);
    const otherRegion = {
      type: "Feature",
      id: "x",
      properties: { name: "X", parent: "barat" },
      geometry: box(107.5, -6.9, 107.6, -6.8),
    };
    expect((await as("POST", "/territories", otherRegion)).body).toMatchObject({ reason: "region" });

    // Plan-wide: imports, versions, links, deleting the plan.
    for (const [method, path, body] of [
      ["POST", "/versions", { name: "Mine" }],
      ["GET", "/links", undefined],
      ["POST", "/links", { role: "edit", label: "More" }],
      ["POST", "/links/view/rotate", undefined],
      ["POST", "/territories/import", TERRITORIES],
      ["DELETE", "", undefined],
    ] as const) {
      const res = await as(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ planWide: true });
    }
    const csv = await fetch(`${server.url}${p}/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${north.token}`, "content-type": "text/csv" },
      body: "id,name,lat,lon\n1,Toko,-6.95,107.55\n",
    });
    expect(csv.status).toBe(403);

    // Nothing of it was stored.
    expect(await territoryNames(server, plan.id)).toEqual({ a: "Arcamanik", b: "Buahbatu", c: "Cicadas" });

    // Inside: edits, draws in the region and deletes.
    expect(
      (await as("PUT", "/territories/a", { type: "Feature", properties: { name: "Arcamanik Raya" } })).status,
    ).toBe(200);
    const mine = {
      type: "Feature",
      id: "d",
      properties: { name: "Dago", parent: "timur" },
      geometry: box(107.5, -6.9, 107.6, -6.8),
    };
    expect((await as("POST", "/territories", mine)).status).toBe(201);
    expect((await as("DELETE", "/territories/b")).status).toBe(204);
    expect(await territoryNames(server, plan.id)).toEqual({ a: "Arcamanik Raya", c: "Cicadas", d: "Dago" });
    // Reading and commenting are not edits.
    expect((await as("GET", "/analysis")).status).toBe(200);
    expect((await as("POST", "/comments", { text: "Ours", at: [107.75, -6.95] })).status).toBe(201);
  });
});

describe("labelled links", () => {
  it("are listed without tokens, rotate by id (keeping the scope) and stop at once when removed", async () => {
    const { server, plan, north } = await setUp();
    const p = `/api/plans/${plan.id}`;
    const listed = await call(server, plan.tokens.edit, "GET", `${p}/links`);
    expect(listed.status).toBe(200);
    const links = listed.body.links as { id: string; role: string; label: string | null; scope: unknown }[];
    expect(links.map((l) => [l.id, l.role, l.label])).toEqual([
      ["edit", "edit", null],
      ["comment", "comment", null],
      ["view", "view", null],
      [north.id, "edit", "Timur's manager"],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(north.token);
    expect(JSON.stringify(listed.body)).not.toMatch(/hash|token/);

    // Rotate by id: the old token is revoked, its socket closed; the new one keeps label and scope.
    const open = await socket(server, plan, north.token);
    const rotated = await call(server, plan.tokens.edit, "POST", `${p}/links/${north.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      id: north.id,
      label: "Timur's manager",
      scope: { parent: "timur" },
      closedSockets: 1,
    });
    await eventually(() => expect(open.closed?.code).toBe(4401));
    const oldAnswer = await call(server, north.token, "GET", p);
    expect(oldAnswer.status).toBe(401);
    expect(oldAnswer.body.reason).toBe("revoked");
    const token = new URL(rotated.body.link as string).searchParams.get("token") as string;
    expect(
      (await call(server, token, "PUT", `${p}/territories/c`, { type: "Feature", properties: { name: "X" } })).status,
    ).toBe(403);

    // Removed: its socket is closed, its token revoked, REST and upgrade alike.
    const again = await socket(server, plan, token);
    const removed = await call(server, plan.tokens.edit, "DELETE", `${p}/links/${north.id}`);
    expect(removed).toMatchObject({ status: 200, body: { id: north.id, closedSockets: 1 } });
    await eventually(() => expect(again.closed?.code).toBe(4401));
    expect(await call(server, token, "GET", p)).toMatchObject({ status: 401, body: { reason: "revoked" } });
    await expect(RawClient.connect(`${server.wsUrl}/sync/${plan.id}?token=${token}`, null)).rejects.toMatchObject({
      status: 401,
    });
    expect((await call(server, plan.tokens.edit, "GET", `${p}/links`)).body.links).toHaveLength(3);
    // The role links can be rotated but not removed; unknown ids are 404.
    expect((await call(server, plan.tokens.edit, "DELETE", `${p}/links/edit`)).status).toBe(409);
    expect((await call(server, plan.tokens.edit, "DELETE", `${p}/links/${north.id}`)).status).toBe(404);
    expect((await call(server, plan.tokens.edit, "POST", `${p}/links/l-nothing/rotate`)).status).toBe(404);
    // The role links still rotate as before.
    expect((await call(server, plan.tokens.edit, "POST", `${p}/links/comment/rotate`)).body).toMatchObject({
      role: "comment",
    });
  });

  it("are made only with a role, a label and a scope an edit link can have", async () => {
    const server = await newServer();
    const plan = await createPlanWithLinks(server, "Bandung");
    await addTerritories(server, plan.id, TERRITORIES);
    const p = `/api/plans/${plan.id}/links`;
    const post = (token: string, body: unknown) => call(server, token, "POST", p, body);
    expect((await post(plan.tokens.edit, { role: "edit" })).status).toBe(400);
    expect((await post(plan.tokens.edit, { role: "owner", label: "X" })).status).toBe(400);
    expect((await post(plan.tokens.edit, { role: "view", label: "X", scope: { parent: "timur" } })).status).toBe(400);
    expect((await post(plan.tokens.edit, { role: "edit", label: "X", scope: { territories: [] } })).status).toBe(400);
    const unknown = await post(plan.tokens.edit, { role: "edit", label: "X", scope: { territories: ["a", "zz"] } });
    expect(unknown).toMatchObject({ status: 400, body: { territories: ["zz"] } });
    expect((await post(plan.tokens.comment, { role: "view", label: "Board" })).status).toBe(403);
    const board = await post(plan.tokens.edit, { role: "view", label: "Board" });
    expect(board).toMatchObject({ status: 201, body: { role: "view", label: "Board", scope: null } });
    const token = new URL(board.body.link as string).searchParams.get("token") as string;
    expect((await call(server, token, "GET", `/api/plans/${plan.id}`)).body).toMatchObject({ role: "view" });
  });
});
