import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import type { ActivityPage } from "../../shared/activity/activity.ts";
import { readTerritoryProps, territoriesMap } from "../../shared/doc/schema.ts";
import { box } from "../fixtures/shapes.ts";
import {
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  type LinkRole,
  peopleOn,
  serversPerTest,
  stockClientsPerTest,
  useServer,
  WEST_AND_EAST,
} from "./harness.ts";

/**
 * Scenarios over REST and sockets (issue 14): a manager forks the plan (or
 * one of its versions) into a scenario with its own links and the same
 * territory ids, accounts shared by reference; the scenario is edited live
 * like any plan; promoting it applies its changes to the origin as one
 * change that reaches every open map, keeps what the origin changed since
 * the fork, names what both changed and asks how to decide; it can be
 * taken back. Commenters and viewers cannot make or promote one; bad input
 * stores nothing.
 */

const server = useServer();
const { as } = peopleOn(server);
const stockClients = stockClientsPerTest();
const serverOfItsOwn = serversPerTest();

/** A stock y-websocket client of a plan, with a given token (a scenario's links are not the harness's). */
function stockClient(srv: { wsUrl: string }, planId: string, token?: string) {
  const c = stockClients(srv, planId);
  if (!token) return c;
  c.destroy();
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${srv.wsUrl}/sync`, planId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { token },
  });
  onTestFinished(() => {
    provider.destroy();
    doc.destroy();
  });
  return { doc, provider };
}

type Call = ReturnType<typeof as>;

const ACCOUNTS = "id,name,lat,lon,revenue\nw1,W1,-6.95,107.55,100\nw2,W2,-6.93,107.57,200\ne1,E1,-6.95,107.65,300\n";

/** A plan of two drawn territories, West and East, with three accounts. */
async function origin(): Promise<{ plan: CreatedPlan; ani: Call }> {
  const plan = await createPlanWithLinks(server, "Jawa 2027");
  const ani = as(plan, "edit", "Ani");
  expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
  const res = await fetch(`${server.url}/api/plans/${plan.id}/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": "text/csv" },
    body: ACCOUNTS,
  });
  expect(res.status).toBe(201);
  return { plan, ani };
}

/** A scenario's answer as a plan the helpers can call. */
function asPlan(body: Record<string, unknown>): CreatedPlan {
  const links = body.links as Record<LinkRole, string>;
  const tokens = Object.fromEntries(
    (["edit", "comment", "view"] as const).map((r) => [r, new URL(links[r]).searchParams.get("token") as string]),
  ) as Record<LinkRole, string>;
  return { id: body.id as string, links, tokens };
}

async function scenarioOf(ani: Call, body: unknown = { name: "Q3 what-if" }) {
  const r = await ani("POST", "/scenarios", body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return asPlan(r.body);
}

async function names(call: Call): Promise<Record<string, string>> {
  const r = await call("GET", "/territories");
  expect(r.status).toBe(200);
  const features = r.body.features as { id: string; properties: { name: string; color: string } }[];
  return Object.fromEntries(features.map((f) => [f.id, f.properties.name]));
}

async function listed(call: Call): Promise<{ id: string; name: string; summary: string | null }[]> {
  const r = await call("GET", "/scenarios");
  expect(r.status).toBe(200);
  return r.body.scenarios as { id: string; name: string; summary: string | null }[];
}

describe("scenarios: making one", () => {
  it("forks the plan now with the same territory and account ids, its own links, the origin's accounts shared by reference", async () => {
    const { plan, ani } = await origin();
    const made = await ani("POST", "/scenarios", { name: "  Q3 what-if " });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      name: "Q3 what-if",
      origin: { plan: plan.id, name: "Jawa 2027", by: { name: "Ani" } },
    });
    expect(made.body.origin).not.toHaveProperty("version");
    const scenario = asPlan(made.body);
    expect(scenario.id).not.toBe(plan.id);
    const budiThere = as(scenario, "edit", "Budi");
    expect(await names(budiThere)).toEqual({ west: "West", east: "East" });
    const accounts = await budiThere("GET", "/accounts");
    expect((accounts.body.features as { id: string }[]).map((f) => f.id).sort()).toEqual(["e1", "w1", "w2"]);
    // The same stored file, not a copy.
    const stat = (id: string) => fs.stat(path.join(server.dataDir, "plans", id, "accounts.json"));
    expect((await stat(scenario.id)).ino).toBe((await stat(plan.id)).ino);
    // Marked as a scenario of its origin, and listed by it.
    const about = await budiThere("GET", "");
    expect(about.body.origin).toMatchObject({ plan: plan.id, name: "Jawa 2027" });
    expect((await ani("GET", "")).body).not.toHaveProperty("origin");
    expect((await listed(ani)).map((s) => [s.id, s.name])).toEqual([[scenario.id, "Q3 what-if"]]);
    // The origin's links open it too, in their own role.
    const viaOrigin = await fetch(`${server.url}/api/plans/${scenario.id}`, {
      headers: { authorization: `Bearer ${plan.tokens.view}` },
    });
    expect(((await viaOrigin.json()) as { role: string }).role).toBe("view");
    // An import into the scenario leaves the origin's accounts alone.
    const imported = await fetch(`${server.url}/api/plans/${scenario.id}/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${scenario.tokens.edit}`, "content-type": "text/csv" },
      body: "id,name,lat,lon,revenue\nz1,Z1,-6.95,107.55,5\n",
    });
    expect(imported.status).toBe(201);
    const originAccounts = await ani("GET", "/accounts");
    expect((originAccounts.body.features as unknown[]).length).toBe(3);
  });

  it("forks a version: the plan as that version had it, territories deleted since included", async () => {
    const { plan, ani } = await origin();
    const saved = await ani("POST", "/versions", { name: "Before the Q3 meeting" });
    expect(saved.status).toBe(201);
    expect((await ani("DELETE", "/territories/east")).status).toBe(204);
    expect((await ani("PUT", "/territories/west", { type: "Feature", properties: { name: "Barat" } })).status).toBe(
      200,
    );
    const made = await ani("POST", "/scenarios", { name: "From Q3", from: saved.body.id });
    expect(made.status).toBe(201);
    expect(made.body.origin).toMatchObject({
      plan: plan.id,
      version: saved.body.id,
      versionName: "Before the Q3 meeting",
    });
    expect(await names(as(asPlan(made.body), "view", "Dewi"))).toEqual({ west: "West", east: "East" });
    expect(await names(ani)).toEqual({ west: "Barat" });
  });

  it("is edited live like any plan: a stock client of the scenario sees REST edits and its own edits are stored, the origin untouched", async () => {
    const { ani } = await origin();
    const scenario = await scenarioOf(ani);
    const client = stockClient(server, scenario.id, scenario.tokens.edit);
    await eventually(() => expect(territoriesMap(client.doc).size).toBe(2));
    const budi = as(scenario, "edit", "Budi");
    expect((await budi("PUT", "/territories/east", { type: "Feature", properties: { name: "Timur" } })).status).toBe(
      200,
    );
    await eventually(() => expect(readTerritoryProps(client.doc, "east")?.name).toBe("Timur"));
    territoriesMap(client.doc).get("west")?.set("name", "Barat");
    await eventually(async () => expect(await names(budi)).toEqual({ west: "Barat", east: "Timur" }));
    expect(await names(ani)).toEqual({ west: "West", east: "East" });
  });
});

describe("scenarios: compare and promote", () => {
  it("compares with the origin as versions compare", async () => {
    const { ani } = await origin();
    const scenario = await scenarioOf(ani);
    const budi = as(scenario, "edit", "Budi");
    await budi("PUT", "/territories/west", { type: "Feature", geometry: box(107.45, -7.0, 107.6, -6.9) });
    const compared = await budi("GET", "/compare?from=origin&to=current");
    expect(compared.status).toBe(200);
    expect(compared.body.territories).toMatchObject({
      added: [],
      removed: [],
      changed: [{ id: "west", fields: ["geometry"] }],
    });
    expect(compared.body.metrics).toHaveProperty("west.areaKm2");
    const originShapes = await budi("GET", "/versions/origin/territories");
    expect(originShapes.status).toBe(200);
    expect((originShapes.body.features as { id: string }[]).map((f) => f.id).sort()).toEqual(["east", "west"]);
    const fork = await budi("GET", "/compare?from=fork");
    expect((fork.body.territories as { changed: unknown[] }).changed).toHaveLength(1);
    expect((await ani("GET", "/compare?from=origin")).status).toBe(400);
  });

  it("promotes while the origin changed: the preview shows the origin's edit, the promote keeps it and reaches an open map as one change", async () => {
    const { plan, ani } = await origin();
    const scenario = await scenarioOf(ani);
    const budi = as(scenario, "edit", "Budi");
    await budi("PUT", "/territories/west", { type: "Feature", properties: { name: "West Q3" } });
    await budi("PUT", "/territories/east", { type: "Feature", properties: { color: "#123456" } });
    await budi("POST", "/territories", {
      type: "Feature",
      id: "north",
      properties: { name: "North" },
      geometry: box(107.5, -6.9, 107.7, -6.8),
    });
    // Meanwhile in the origin, another manager renames East.
    const sari = as(plan, "edit", "Sari");
    await sari("PUT", "/territories/east", { type: "Feature", properties: { name: "East Bandung" } });

    const preview = await budi("POST", "/promote?dryRun=1");
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, origin: { id: plan.id, name: "Jawa 2027" }, conflicts: [] });
    expect((preview.body.originEdits as { changed: unknown[] }).changed).toEqual([
      { id: "east", name: "East Bandung", fields: ["name"] },
    ]);
    const comparison = preview.body.comparison as {
      territories: { added: { id: string }[]; changed: { id: string; fields: string[] }[] };
    };
    expect(comparison.territories.added.map((t) => t.id)).toEqual(["north"]);
    expect(comparison.territories.changed.map((t) => [t.id, t.fields])).toEqual([
      ["east", ["color"]],
      ["west", ["name"]],
    ]);
    expect(await names(ani)).toEqual({ west: "West", east: "East Bandung" });

    const client = stockClient(server, plan.id);
    await eventually(() => expect(territoriesMap(client.doc).size).toBe(2));
    let transactions = 0;
    client.doc.on("afterTransaction", (tr) => {
      if (tr.origin === client.provider) transactions++;
    });
    const promoted = await budi("POST", "/promote", {});
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body).toMatchObject({ conflicts: [], conflictsTo: "origin" });
    await eventually(() => {
      expect(territoriesMap(client.doc).size).toBe(3);
      expect(readTerritoryProps(client.doc, "west")?.name).toBe("West Q3");
      expect(readTerritoryProps(client.doc, "east")).toMatchObject({ name: "East Bandung", color: "#123456" });
    });
    expect(transactions).toBe(1);

    // One feed entry, checkpoints around it, and it can be taken back.
    const feed = (await ani("GET", "/activity")).body as unknown as ActivityPage;
    expect(feed.entries[0]).toMatchObject({
      kind: "scenario-promoted",
      actor: { name: "Budi" },
      details: { scenarioId: scenario.id, scenarioName: "Q3 what-if", kept: 0 },
    });
    const reasons = ((await ani("GET", "/versions")).body.versions as { reason: string }[]).map((v) => v.reason);
    expect(reasons.slice(0, 2)).toEqual(["promoted", "before-promote"]);
    expect((await listed(ani))[0]).toMatchObject({ id: scenario.id, promoted: { by: { name: "Budi" } } });
    const undone = await ani("POST", `/restores/${promoted.body.restoreId}/undo`);
    expect(undone.status).toBe(200);
    await eventually(() => expect(territoriesMap(client.doc).size).toBe(2));
    expect(await names(ani)).toEqual({ west: "West", east: "East Bandung" });
    expect(((await ani("GET", "/activity")).body as unknown as ActivityPage).entries[0]?.kind).toBe(
      "scenario-promote-undone",
    );
  });

  it("names what both sides changed, refuses until told how to decide, and never loses the origin's edit", async () => {
    const { plan, ani } = await origin();
    const scenario = await scenarioOf(ani);
    const budi = as(scenario, "edit", "Budi");
    await budi("PUT", "/territories/west", { type: "Feature", properties: { name: "West (scenario)" } });
    await budi("PUT", "/territories/east", { type: "Feature", properties: { name: "East (scenario)" } });
    await ani("PUT", "/territories/west", { type: "Feature", properties: { name: "West (origin)" } });

    const preview = await budi("POST", "/promote?dryRun=1");
    expect(preview.body.conflicts).toEqual([
      { id: "west", name: "West (scenario)", kind: "edited", fields: ["name"], units: 0, pins: 0 },
    ]);
    const refused = await budi("POST", "/promote", {});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/West \(scenario\)/);
    expect(refused.body.conflicts).toHaveLength(1);
    expect(await names(ani)).toEqual({ west: "West (origin)", east: "East" });
    const reasons = ((await ani("GET", "/versions")).body.versions as { reason: string }[]).map((v) => v.reason);
    expect(reasons).not.toContain("before-promote");

    const kept = await budi("POST", "/promote", { conflicts: "origin" });
    expect(kept.status).toBe(200);
    expect(await names(ani)).toEqual({ west: "West (origin)", east: "East (scenario)" });
    const forced = await budi("POST", "/promote", { conflicts: "scenario" });
    expect(forced.status).toBe(200);
    expect(await names(as(plan, "view", "Dewi"))).toEqual({ west: "West (scenario)", east: "East (scenario)" });
  });
});

describe("scenarios of a unit plan", () => {
  it("keeps the unit layer (the same file) and unit ids; a promote moves the scenario's units and keeps the origin's strokes", async () => {
    const { plan, ani } = await origin();
    expect((await ani("POST", "/units", { kind: "h3", resolution: 7, area: "territories" })).status).toBe(201);
    const layer = (await ani("GET", "/units")).body as unknown as {
      features: { id: string; properties: { territory: string | null } }[];
    };
    const westUnits = layer.features.filter((f) => f.properties.territory === "west").map((f) => f.id);
    expect(westUnits.length).toBeGreaterThan(3);
    const scenario = await scenarioOf(ani);
    const budi = as(scenario, "edit", "Budi");
    const there = (await budi("GET", "/units")).body as unknown as typeof layer;
    expect(there.features.map((f) => [f.id, f.properties.territory])).toEqual(
      layer.features.map((f) => [f.id, f.properties.territory]),
    );
    const stat = (id: string) => fs.stat(path.join(server.dataDir, "plans", id, "data-units.json"));
    expect((await stat(scenario.id)).ino).toBe((await stat(plan.id)).ino);

    // The scenario gives two of West's units to East; meanwhile the origin gives a third one to East too.
    const [a, b, c] = westUnits as [string, string, string];
    expect((await budi("PATCH", "/units", { assign: { [a]: "east", [b]: "east" } })).status).toBe(200);
    expect((await ani("PATCH", "/units", { assign: { [c]: "east" } })).status).toBe(200);
    const preview = await budi("POST", "/promote?dryRun=1");
    expect(preview.body.conflicts).toEqual([]);
    expect(preview.body.originEdits).toMatchObject({ unitsMoved: 1 });
    expect(
      (preview.body.comparison as { unitsMoved: { unit: string }[] }).unitsMoved.map((m) => m.unit).sort(),
    ).toEqual([a, b].sort());
    expect((await budi("POST", "/promote", {})).status).toBe(200);
    const after = (await ani("GET", "/units")).body as unknown as typeof layer;
    const owner = (id: string) => after.features.find((f) => f.id === id)?.properties.territory;
    expect([owner(a), owner(b), owner(c)]).toEqual(["east", "east", "east"]);

    // Both then move one unit to different territories: a conflict, kept as the origin has it.
    const d = westUnits[3] as string;
    await budi("PATCH", "/units", { assign: { [d]: null } });
    await ani("PATCH", "/units", { assign: { [d]: "east" } });
    const conflicted = await budi("POST", "/promote", {});
    expect(conflicted.status).toBe(409);
    expect((conflicted.body.conflicts as { fields: string[] }[])[0]?.fields).toContain("units");
  });
});

describe("scenarios: who may, deleting, bad input", () => {
  it("a commenter or viewer can read and compare a scenario but cannot make, promote or delete one", async () => {
    const { plan, ani } = await origin();
    const scenario = await scenarioOf(ani);
    for (const role of ["comment", "view"] as const) {
      const originCall = as(plan, role, "Siti");
      const made = await originCall("POST", "/scenarios", { name: "Mine" });
      expect(made.status).toBe(403);
      expect(made.body.error).toMatch(/cannot make a scenario/);
      expect((await originCall("GET", "/scenarios")).status).toBe(200);
      const there = as(scenario, role, "Siti");
      expect((await there("POST", "/promote?dryRun=1")).status).toBe(403);
      expect((await there("POST", "/promote", { conflicts: "scenario" })).status).toBe(403);
      expect((await there("GET", "/compare?from=origin")).status).toBe(200);
      expect((await there("DELETE", "")).status).toBe(403);
    }
    expect(await listed(ani)).toHaveLength(1);
  });

  it("a manager deletes a scenario with its own edit link or the origin's; the origin stays", async () => {
    const { plan, ani } = await origin();
    const one = await scenarioOf(ani, { name: "One" });
    const two = await scenarioOf(ani, { name: "Two" });
    expect((await as(one, "edit", "Budi")("DELETE", "")).status).toBe(204);
    const viaOrigin = await fetch(`${server.url}/api/plans/${two.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${plan.tokens.edit}` },
    });
    expect(viaOrigin.status).toBe(204);
    expect(await listed(ani)).toEqual([]);
    expect((await as(two, "edit", "Budi")("GET", "")).status).toBe(404);
    expect(await names(ani)).toEqual({ west: "West", east: "East" });
  });

  it("counts a scenario as a plan against PLANS_PER_HOUR (429 with Retry-After beyond it)", async () => {
    const own = await serverOfItsOwn({ env: { PLANS_PER_HOUR: "3" } });
    const created = await createPlanWithLinks(own, "Limited");
    const ani = peopleOn(own).as(created, "edit", "Ani");
    expect((await ani("POST", "/scenarios", { name: "One" })).status).toBe(201);
    expect((await ani("POST", "/scenarios", { name: "Two" })).status).toBe(201);
    const refused = await fetch(`${own.url}/api/plans/${created.id}/scenarios`, {
      method: "POST",
      headers: { authorization: `Bearer ${created.tokens.edit}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Three" }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await ani("GET", "/scenarios")).body.scenarios).toHaveLength(2);
  });

  it("refuses bad input with a sentence and stores nothing", async () => {
    const { plan, ani } = await origin();
    const planFolders = async () =>
      (await fs.readdir(path.join(server.dataDir, "plans"))).filter((n) => !n.startsWith(".")).length;
    const before = await planFolders();
    const long = "x".repeat(121);
    for (const [body, pattern] of [
      [{}, /name/],
      [{ name: "" }, /name/],
      [{ name: long }, /1–120/],
      [{ name: 7 }, /name/],
      [{ name: "A", from: 3 }, /from/],
      [{ name: "A", extra: true }, /"extra"/],
      [[1, 2], /JSON object/],
    ] as const) {
      const r = await ani("POST", "/scenarios", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(pattern);
    }
    const unknownVersion = await ani("POST", "/scenarios", { name: "A", from: "v-nope" });
    expect(unknownVersion.status).toBe(404);
    const unknownPlan = await fetch(`${server.url}/api/plans/nope12345678/scenarios`, {
      method: "POST",
      headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "A" }),
    });
    expect(unknownPlan.status).toBe(404);
    expect(await listed(ani)).toEqual([]);
    expect(await planFolders()).toBe(before);

    // A scenario of a scenario, promoting a plan that is not one, a bad promote body.
    const scenario = await scenarioOf(ani);
    const budi = as(scenario, "edit", "Budi");
    const nested = await budi("POST", "/scenarios", { name: "Deeper" });
    expect(nested.status).toBe(409);
    expect(nested.body.error).toMatch(/itself a scenario of “Jawa 2027”/);
    expect((await ani("POST", "/promote", {})).status).toBe(409);
    const badBody = await budi("POST", "/promote", { conflicts: "mine" });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error).toMatch(/"origin".*"scenario"/);
    expect((await budi("POST", "/promote?dryRun=maybe")).status).toBe(400);
    expect(await listed(ani)).toHaveLength(1);
    expect(await names(ani)).toEqual({ west: "West", east: "East" });
  });
});
