import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ActivityPage } from "../../shared/activity/activity.ts";
import { readAccountsVersion, readTerritoryProps, readUnitsVersion, territoriesMap } from "../../shared/doc/schema.ts";
import {
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  type LinkRole,
  logged,
  peopleOn,
  serversPerTest,
  stockClientsPerTest,
  useServer,
  WEST_AND_EAST,
} from "./harness.ts";

/**
 * Versions and checkpoints over REST and sockets (issue 14): a manager
 * saves a version, the plan changes, the version is compared and restored
 * as one change that reaches every open map and can be taken back through
 * the server-side undo; an import is taken back by restoring the checkpoint
 * before it; a saved version survives kill -9; commenters and viewers read
 * and compare only; bad input stores nothing.
 */

const server = useServer();
const { as } = peopleOn(server);
const stockClient = stockClientsPerTest();

type Call = ReturnType<typeof as>;

interface Listed {
  id: string;
  name: string;
  auto: boolean;
  reason: string | null;
  summary: string;
  damaged?: string;
}

async function versions(call: Call): Promise<Listed[]> {
  const r = await call("GET", "/versions");
  expect(r.status).toBe(200);
  return r.body.versions as unknown as Listed[];
}

/** A plan of two drawn territories near Bandung, West and East, with three accounts (two in West). */
async function plan(): Promise<{ plan: CreatedPlan; ani: Call }> {
  const created = await createPlanWithLinks(server, "Versions");
  const ani = as(created, "edit", "Ani");
  expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
  expect((await importCsv(created, ACCOUNTS)).status).toBe(201);
  return { plan: created, ani };
}

const ACCOUNTS = "id,name,lat,lon,revenue\nw1,W1,-6.95,107.55,100\nw2,W2,-6.93,107.57,200\ne1,E1,-6.95,107.65,300\n";

async function importCsv(plan: CreatedPlan, csv: string) {
  const res = await fetch(`${server.url}/api/plans/${plan.id}/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${plan.tokens.edit}`, "content-type": "text/csv" },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function accountIds(call: Call): Promise<string[]> {
  const r = await call("GET", "/accounts");
  return (r.body.features as { id: string }[]).map((f) => f.id).sort();
}

describe("versions: save, compare, restore", () => {
  it("saves a version, and a restore after an edit reaches a stock y-websocket client as one change", async () => {
    const { plan: p, ani } = await plan();
    const client = stockClient(server, p.id);
    await eventually(() => expect(territoriesMap(client.doc).size).toBe(2));

    const saved = await ani("POST", "/versions", { name: "Before the Q3 meeting" });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: "Before the Q3 meeting", auto: false, by: { name: "Ani" } });
    const vid = saved.body.id as string;

    expect((await ani("PUT", "/territories/west", { type: "Feature", properties: { name: "Barat" } })).status).toBe(
      200,
    );
    expect((await ani("DELETE", "/territories/east")).status).toBe(204);
    await eventually(() => expect(territoriesMap(client.doc).has("east")).toBe(false));

    const compared = await ani("GET", `/compare?from=${vid}&to=current`);
    expect(compared.status).toBe(200);
    expect(compared.body).toMatchObject({
      territories: { removed: [{ id: "east", name: "East" }], changed: [{ id: "west", fields: ["name"] }] },
      accountsMoved: [{ account: "e1", from: "east", to: null }],
      metrics: { east: { accounts: { from: 1, to: null } }, west: { accounts: { from: 2, to: 2 } } },
    });
    expect((compared.body.score as { from: number }).from).toBeGreaterThan(0);

    const opened = await ani("GET", `/versions/${vid}/territories`);
    expect(opened.status).toBe(200);
    expect((opened.body.features as { id: string }[]).map((f) => f.id)).toEqual(["east", "west"]);
    expect(
      (opened.body.features as { properties: { metrics: { accounts: number } } }[])[0]?.properties.metrics,
    ).toMatchObject({ accounts: 1 });
    const analysis = await ani("GET", `/versions/${vid}/analysis`);
    expect(analysis.status).toBe(200);
    expect(analysis.body.totals).toMatchObject({ territories: 2, accounts: 3, unassigned: 0 });

    const transactions: number[] = [];
    client.doc.on("update", () => transactions.push(Date.now()));
    const restored = await ani("POST", `/versions/${vid}/restore`, {});
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: { id: vid }, data: { accounts: false, units: false } });
    await eventually(() => {
      expect(readTerritoryProps(client.doc, "west")?.name).toBe("West");
      expect(readTerritoryProps(client.doc, "east")?.name).toBe("East");
    });
    // One change for everyone.
    expect(transactions).toHaveLength(1);

    const list = await versions(ani);
    expect(list.map((v) => v.reason)).toEqual(["restored", "before-restore", null, "accounts-import"]);
    expect(list[0]).toMatchObject({ name: "Restored “Before the Q3 meeting”", auto: true });
    expect(list[1]?.summary).toMatch(/1 territory removed \(East\)/);
    const feed = (await ani("GET", "/activity?limit=5")).body as unknown as ActivityPage;
    expect(feed.entries.filter((e) => e.kind === "version-restored")).toHaveLength(1);
    expect(feed.entries[0]).toMatchObject({
      kind: "version-restored",
      actor: { name: "Ani" },
      details: { versionId: vid, restoreId: expect.stringMatching(/^r-/) },
    });
  });

  it("takes an accounts import back by restoring the checkpoint before it, accounts included", async () => {
    const { plan: p, ani } = await plan();
    const client = stockClient(server, p.id);
    expect(await accountIds(ani)).toEqual(["e1", "w1", "w2"]);
    // The mistake issue 14 starts from: a small file replaces every account.
    expect((await importCsv(p, "id,name,lat,lon,revenue\nx1,X1,-6.95,107.55,5\n")).status).toBe(201);
    expect(await accountIds(ani)).toEqual(["x1"]);
    await eventually(() => expect(readAccountsVersion(client.doc)).toBe(2));

    // Newest first: the checkpoint before the second import.
    const before = (await versions(ani)).find((v) => v.reason === "accounts-import");
    expect(before, "the checkpoint before the second import").toBeDefined();
    const restored = await ani("POST", `/versions/${before?.id}/restore`, { accounts: true });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ data: { accounts: true } });
    expect(await accountIds(ani)).toEqual(["e1", "w1", "w2"]);
    // A new accounts version, so every client refetches; the analysis counts them again.
    await eventually(() => expect(readAccountsVersion(client.doc)).toBe(3));
    await eventually(async () => {
      const a = await ani("GET", "/analysis");
      expect(a.body.totals).toMatchObject({ accounts: 3 });
    });
    // Issue 10's undo still works on the import after that, from the same kept accounts.
    const again = await importCsv(p, "id,name,lat,lon,revenue\ny1,Y1,-6.95,107.55,5\n");
    expect((await ani("POST", "/accounts/undo", { version: again.body.version })).status).toBe(200);
    expect(await accountIds(ani)).toEqual(["e1", "w1", "w2"]);
  });

  it("takes a restore back through the server-side undo, keeping what others changed since", async () => {
    const { plan: p, ani } = await plan();
    const budi = as(p, "edit", "Budi");
    const client = stockClient(server, p.id);
    const vid = (await ani("POST", "/versions", { name: "Two territories" })).body.id as string;
    await ani("PUT", "/territories/west", { type: "Feature", properties: { name: "Barat", color: "#000000" } });
    await ani("DELETE", "/territories/east");

    const restored = await ani("POST", `/versions/${vid}/restore`, {});
    expect(restored.status).toBe(200);
    await eventually(() => expect(readTerritoryProps(client.doc, "east")?.name).toBe("East"));
    // Budi renames West after the restore: his edit is his, the undo leaves it.
    expect((await budi("PUT", "/territories/west", { type: "Feature", properties: { name: "Kulon" } })).status).toBe(
      200,
    );

    const undone = await ani("POST", `/restores/${restored.body.restoreId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.kept).toBe(1);
    expect(undone.body.reverted).toBeGreaterThan(1);
    await eventually(() => {
      expect(territoriesMap(client.doc).has("east")).toBe(false);
      expect(readTerritoryProps(client.doc, "west")).toMatchObject({ name: "Kulon", color: "#000000" });
    });
    // Once only.
    expect((await ani("POST", `/restores/${restored.body.restoreId}/undo`)).status).toBe(404);
    const feed = (await ani("GET", "/activity?limit=3")).body as unknown as ActivityPage;
    expect(feed.entries[0]).toMatchObject({
      kind: "version-restore-undone",
      details: { kept: 1, restoreId: restored.body.restoreId },
    });
  });

  it("restores the checkpoint before a unit layer was made: back to drawn territories, and undone back to units", async () => {
    const { plan: p, ani } = await plan();
    const client = stockClient(server, p.id);
    expect((await ani("POST", "/units", { kind: "h3", resolution: 7, area: "territories" })).status).toBe(201);
    await eventually(() => expect(readUnitsVersion(client.doc)).toBe(1));
    const before = (await versions(ani)).find((v) => v.reason === "units-change");
    expect(before).toBeDefined();

    const restored = await ani("POST", `/versions/${before?.id}/restore`, {});
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ data: { units: true } });
    await eventually(() => expect(readUnitsVersion(client.doc)).toBe(0));
    const drawn = await ani("GET", "/territories");
    expect((drawn.body.features as { geometry: { type: string } }[]).map((f) => f.geometry.type)).toEqual([
      "Polygon",
      "Polygon",
    ]);
    expect((await ani("GET", "/units")).body).toMatchObject({ features: [] });

    const undone = await ani("POST", `/restores/${restored.body.restoreId}/undo`);
    expect(undone.status).toBe(200);
    expect(undone.body.data).toMatchObject({ units: "reverted" });
    await eventually(() => expect(readUnitsVersion(client.doc)).toBeGreaterThan(1));
    const units = await ani("GET", "/units");
    expect(
      (units.body.features as { properties: { territory: string | null } }[]).some(
        (f) => f.properties.territory === "west",
      ),
    ).toBe(true);
  });
});

describe("versions: checkpoints while people edit", () => {
  const start = serversPerTest();

  it("takes one at most every few minutes (here 400 ms) while edits come", async () => {
    const quick = await start({ env: { VERSION_CHECKPOINT_MS: "400" } });
    const created = await createPlanWithLinks(quick, "Checkpoints");
    const ani = peopleOn(quick).as(created, "edit", "Ani");
    const edits = async () => (await versions(ani)).filter((v) => v.reason === "edits");
    expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
    await eventually(async () => expect(await edits()).toHaveLength(1));
    expect((await edits())[0]).toMatchObject({ name: "Checkpoint", auto: true, summary: "2 territories" });
    expect((await ani("PUT", "/territories/west", { type: "Feature", properties: { name: "Barat" } })).status).toBe(
      200,
    );
    await eventually(async () => expect(await edits()).toHaveLength(2));
    expect((await edits())[0]).toMatchObject({ summary: "1 territory renamed", by: { name: "Ani" } });
  });
});

describe("versions: who may do what", () => {
  it("lets a commenter and a viewer list, open and compare, never save, delete or restore (403)", async () => {
    const { plan: p, ani } = await plan();
    const vid = (await ani("POST", "/versions", { name: "Base" })).body.id as string;
    const restoreId = (await ani("POST", `/versions/${vid}/restore`, {})).body.restoreId as string;
    const before = await versions(ani);
    for (const role of ["comment", "view"] as LinkRole[]) {
      const siti = as(p, role, "Siti");
      expect((await siti("GET", "/versions")).status).toBe(200);
      expect((await siti("GET", `/versions/${vid}/territories`)).status).toBe(200);
      expect((await siti("GET", `/versions/${vid}/analysis`)).status).toBe(200);
      expect((await siti("GET", `/compare?from=${vid}&to=current`)).status).toBe(200);
      for (const [method, pathname, body] of [
        ["POST", "/versions", { name: "Mine" }],
        ["DELETE", `/versions/${vid}`, undefined],
        ["POST", `/versions/${vid}/restore`, {}],
        ["POST", `/restores/${restoreId}/undo`, undefined],
      ] as const) {
        const r = await siti(method, pathname, body);
        expect(r.status, `${role} ${method} ${pathname}`).toBe(403);
        expect(r.body.error).toMatch(/link/i);
      }
    }
    expect(await versions(ani)).toEqual(before);
  });
});

describe("versions: bad input", () => {
  it("answers unknown versions, huge names and garbage with a clear 4xx and stores nothing", async () => {
    const { plan: p, ani } = await plan();
    const vid = (await ani("POST", "/versions", { name: "Base" })).body.id as string;
    const before = await versions(ani);
    const raw = (method: string, pathname: string, body: string) =>
      fetch(`${server.url}/api/plans/${p.id}${pathname}`, {
        method,
        headers: { authorization: `Bearer ${p.tokens.edit}`, "content-type": "application/json" },
        body,
      });

    for (const [method, pathname] of [
      ["GET", "/versions/v-nothere/territories"],
      ["GET", "/versions/v-nothere/analysis"],
      ["DELETE", "/versions/v-nothere"],
      ["POST", "/versions/v-nothere/restore"],
      ["GET", `/compare?from=v-nothere&to=${vid}`],
      ["GET", `/compare?from=${vid}&to=v-nothere`],
      ["POST", "/restores/r-nothere/undo"],
    ] as const) {
      const r = await ani(method, pathname, method === "POST" ? {} : undefined);
      expect(r.status, `${method} ${pathname}`).toBe(404);
      expect(r.body.error).toMatch(/no (version|restore) "/);
    }
    const huge = await ani("POST", "/versions", { name: "x".repeat(10_000) });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(/1–120 characters/);
    expect((await ani("POST", "/versions", { name: "   " })).status).toBe(400);
    expect((await ani("POST", "/versions", { name: 42 })).status).toBe(400);
    expect((await ani("POST", "/versions", {})).status).toBe(400);
    expect((await ani("POST", "/versions", ["Base"])).status).toBe(400);
    const garbage = await raw("POST", "/versions", "{name: Base");
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect((await raw("POST", "/versions", `{"name":"${"y".repeat(100_000)}"}`)).status).toBe(413);
    expect((await ani("POST", `/versions/${vid}/restore`, { accounts: "yes" })).status).toBe(400);
    expect((await ani("POST", `/versions/${vid}/restore`, { everything: true })).status).toBe(400);
    expect((await raw("POST", `/versions/${vid}/restore`, "[1,2")).status).toBe(400);
    expect((await ani("GET", "/compare")).status).toBe(400);
    expect(await versions(ani)).toEqual(before);
  });
});

describe("versions: durability", () => {
  const start = serversPerTest();

  it("loses no version when the server is killed (-9) right after a save's 201", async () => {
    const first = await start();
    const created = await createPlanWithLinks(first, "Kill -9");
    const ani = peopleOn(first).as(created, "edit", "Ani");
    expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
    const saved = await ani("POST", "/versions", { name: "Just saved" });
    expect(saved.status).toBe(201);
    await first.kill("SIGKILL");

    const second = await start({ dataDir: first.dataDir });
    const again = peopleOn(second).as(created, "edit", "Ani");
    const list = (await again("GET", "/versions")).body.versions as Listed[];
    expect(list.map((v) => v.id)).toContain(saved.body.id);
    const opened = await again("GET", `/versions/${saved.body.id}/territories`);
    expect(opened.status).toBe(200);
    expect((opened.body.features as unknown[]).length).toBe(2);
  });

  it("reports a damaged version file and keeps it, while the plan and its other versions serve on", async () => {
    const first = await start();
    const created = await createPlanWithLinks(first, "Damage");
    const ani = peopleOn(first).as(created, "edit", "Ani");
    expect((await ani("POST", "/territories", WEST_AND_EAST)).status).toBe(201);
    const good = (await ani("POST", "/versions", { name: "Good" })).body.id as string;
    const bad = (await ani("POST", "/versions", { name: "Bad" })).body.id as string;
    await first.kill("SIGTERM");
    const file = path.join(first.dataDir, "plans", created.id, "versions", `${bad}.json.gz`);
    const bytes = await fs.readFile(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await fs.writeFile(file, bytes);

    const second = await start({ dataDir: first.dataDir });
    const again = peopleOn(second).as(created, "edit", "Ani");
    const opened = await again("GET", `/versions/${bad}/territories`);
    expect(opened.status).toBe(503);
    expect(opened.body).toMatchObject({ damaged: true });
    expect(opened.body.error).toMatch(/damaged/);
    const list = (await again("GET", "/versions")).body.versions as Listed[];
    expect(list.find((v) => v.id === bad)?.damaged).toBeTruthy();
    expect((await again("GET", `/versions/${good}/territories`)).status).toBe(200);
    expect((await again("GET", "/territories")).status).toBe(200);
    expect(await fs.readFile(file)).toEqual(bytes);
    await eventually(() =>
      expect(logged(second, { planId: created.id, file: `versions/${bad}.json.gz` }, /is damaged/)).toHaveLength(1),
    );
  });
});
