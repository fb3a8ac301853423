import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readUnitAssignment, readUnitsVersion, writeUnitAssignments } from "../../shared/doc/schema.ts";
import { fromCompact, type UnitsCompactJson } from "../../shared/units/compact.ts";
import { box } from "../fixtures/shapes.ts";
import { apiFetch, connectStockClient, createPlanWithLinks, eventually, useServer } from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const server = useServer();

async function call(planId: string, method: string, rest: string, body?: unknown, token?: string) {
  const res = await apiFetch(
    `${server.url}/api/plans/${planId}${rest}${token ? `${rest.includes("?") ? "&" : "?"}token=${token}` : ""}`,
    {
      method,
      headers: body === undefined ? {} : { "content-type": typeof body === "string" ? "text/csv" : "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    },
  );
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json as Record<string, unknown> };
}

/** Two drawn territories east and west of 107.6°E near Bandung, and accounts in both. */
async function drawnPlan() {
  const plan = await createPlanWithLinks(server, "Bandung");
  const fc = {
    type: "FeatureCollection",
    features: [
      { type: "Feature", id: "west", properties: { name: "West" }, geometry: box(107.5, -7.0, 107.6, -6.9) },
      { type: "Feature", id: "east", properties: { name: "East" }, geometry: box(107.6, -7.0, 107.7, -6.9) },
    ],
  };
  expect((await call(plan.id, "POST", "/territories", fc)).status).toBe(201);
  const rows = ["id,lat,lon,revenue"];
  for (let i = 0; i < 20; i++)
    rows.push(`a${i},${-6.99 + (i % 5) * 0.02},${107.51 + Math.floor(i / 5) * 0.05},${10 + i}`);
  expect((await call(plan.id, "POST", "/accounts", rows.join("\n"))).status).toBe(201);
  return plan;
}

describe("a unit layer over REST", () => {
  it("converts a drawn plan to hexagons: each unit to the territory holding its centre, outlines as shapes", async () => {
    const plan = await drawnPlan();
    const before = (await call(plan.id, "GET", "/analysis")).body as {
      territories: { id: string; accounts: number }[];
    };
    const dry = await call(plan.id, "POST", "/units?dryRun=1", { kind: "h3", resolution: 7, area: "territories" });
    expect(dry.status).toBe(200);
    const count = dry.body.count as number;
    // Two 0.1° × 0.1° boxes: about 240 km², about 45 hexagons at resolution 7.
    expect(count).toBeGreaterThan(30);
    expect(count).toBeLessThan(70);
    const made = await call(plan.id, "POST", "/units", { kind: "h3", resolution: 7, area: "territories" });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ kind: "h3", count });
    expect((made.body.assigned as number) + (made.body.unassigned as number)).toBe(count);

    const fc = (await call(plan.id, "GET", "/territories")).body as {
      features: { id: string; geometry: { type: string } | null; properties: { units?: number } }[];
    };
    expect(fc.features.map((f) => f.id).sort()).toEqual(["east", "west"]);
    for (const f of fc.features) {
      expect(["Polygon", "MultiPolygon"]).toContain(f.geometry?.type);
      expect(f.properties.units).toBeGreaterThan(5);
    }
    const after = (await call(plan.id, "GET", "/analysis")).body as {
      territories: { id: string; accounts: number }[];
      totals: { accounts: number; unassigned: number };
    };
    // Every account is in a unit (their cells are kept), and the split stays close to the drawn one.
    expect(after.totals.accounts).toBe(20);
    const sum = after.territories.reduce((s, t) => s + t.accounts, 0);
    expect(sum + after.totals.unassigned).toBe(20);
    for (const t of after.territories) {
      const was = before.territories.find((b) => b.id === t.id)?.accounts ?? 0;
      expect(Math.abs(t.accounts - was)).toBeLessThanOrEqual(4);
    }

    const units = (await call(plan.id, "GET", "/units")).body as {
      kind: string;
      features: { id: string; properties: { territory: string | null; accounts: number } }[];
    };
    expect(units.kind).toBe("h3");
    expect(units.features).toHaveLength(count);
    expect(units.features.reduce((s, f) => s + f.properties.accounts, 0)).toBe(20);
    const compact = (await call(plan.id, "GET", "/units?format=compact")).body as unknown as UnitsCompactJson;
    const data = fromCompact(compact);
    expect(data.count).toBe(count);
    expect([...data.accounts].reduce((s, n) => s + n, 0)).toBe(20);
    expect([...data.across].some((v) => v >= 0)).toBe(true);
    const csv = await apiFetch(`${server.url}/api/plans/${plan.id}/units.csv`);
    expect((await csv.text()).split("\r\n")[0]).toBe("unit_id,unit_name,territory_id,territory_name");
  });

  it("paints over REST live to a stock client, all or nothing, and refuses a geometry or a commenter", async () => {
    const plan = await drawnPlan();
    await call(plan.id, "POST", "/units", { kind: "h3", resolution: 7, area: "territories" });
    const watcher = connectStockClient(server, plan.id);
    await eventually(() => expect(readUnitsVersion(watcher.doc)).toBe(1));
    const units = (await call(plan.id, "GET", "/units")).body as {
      features: { id: string; properties: { territory: string | null } }[];
    };
    const westUnit = units.features.find((f) => f.properties.territory === "west") as { id: string };
    const painted = await call(plan.id, "PATCH", "/units", { assign: { [westUnit.id]: "east" } });
    expect(painted).toMatchObject({ status: 200, body: { assigned: 1 } });
    await eventually(() =>
      expect([...readUnitAssignment(watcher.doc).values()].filter((t) => t === "east").length).toBeGreaterThan(0),
    );
    const other = units.features.find((f) => f.id !== westUnit.id) as { id: string };
    const bad = await call(plan.id, "PATCH", "/units", {
      assign: { [westUnit.id]: "west", nope: "east", x: "east", [other.id]: "ghost" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^No unit "nope", "x" in this plan.s layer; no territory "ghost"/);
    expect(bad.body.units).toEqual(["nope", "x"]);
    // Nothing of it was stored: the unit is still east's.
    const again = (await call(plan.id, "GET", "/units")).body as {
      features: { id: string; properties: { territory: string } }[];
    };
    expect(again.features.find((f) => f.id === westUnit.id)?.properties.territory).toBe("east");
    expect((await call(plan.id, "PATCH", "/units", { assign: {} }, plan.tokens.comment)).status).toBe(403);
    const put = await call(plan.id, "PUT", "/territories/west", { type: "Feature", geometry: box(107, -7, 108, -6) });
    expect(put.status).toBe(409);
    expect(put.body.error).toMatch(/built from units/);
    watcher.destroy();
  });

  it("takes two sockets painting different units at once, and refuses a commenter's paint on the socket", async () => {
    const plan = await drawnPlan();
    await call(plan.id, "POST", "/units", { kind: "h3", resolution: 7, area: "territories" });
    const a = connectStockClient(server, plan.id);
    const b = connectStockClient(server, plan.id);
    await eventually(() => expect(readUnitsVersion(a.doc) + readUnitsVersion(b.doc)).toBe(2));
    const keys = [...readUnitAssignment(a.doc).keys()];
    transact(a.doc, LOCAL_EDIT, () => writeUnitAssignments(a.doc, [[keys[0] as string, "east"]]));
    transact(b.doc, LOCAL_EDIT, () => writeUnitAssignments(b.doc, [[keys[1] as string, "west"]]));
    await eventually(() => {
      expect(readUnitAssignment(a.doc).get(keys[1] as string)).toBe("west");
      expect(readUnitAssignment(b.doc).get(keys[0] as string)).toBe("east");
    });
    const rep = await RawClient.connect(`${server.wsUrl}/sync/${plan.id}`, "comment");
    await eventually(() => expect(rep.synced).toBe(true));
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(rep.doc));
    const sv = Y.encodeStateVector(copy);
    writeUnitAssignments(copy, [[keys[2] as string, "east"]]);
    rep.sendUpdate(Y.encodeStateAsUpdate(copy, sv));
    await eventually(() => expect(rep.refusals[0]?.code).toBe("forbidden"));
    a.destroy();
    b.destroy();
    rep.close();
  });

  it("goes back to drawn territories with DELETE, shapes kept", async () => {
    const plan = await drawnPlan();
    await call(plan.id, "POST", "/units", { kind: "h3", resolution: 7, area: "territories" });
    const removed = await call(plan.id, "DELETE", "/units");
    expect(removed).toMatchObject({ status: 200, body: { territories: 2 } });
    const fc = (await call(plan.id, "GET", "/territories")).body as { features: { geometry: { type: string } }[] };
    expect(fc.features.map((f) => f.geometry.type).every((t) => t === "Polygon" || t === "MultiPolygon")).toBe(true);
    expect((await call(plan.id, "GET", "/units")).body.features).toEqual([]);
    expect((await call(plan.id, "DELETE", "/units")).status).toBe(409);
  });

  it("makes a layer of admin areas from a file with slivers, naming the broken area", async () => {
    const plan = await createPlanWithLinks(server, "Bogor");
    const text = fs.readFileSync(
      path.resolve(import.meta.dirname, "../fixtures/units/kecamatan-slivers.geojson"),
      "utf8",
    );
    const dry = await call(plan.id, "POST", "/units?dryRun=1", JSON.parse(text));
    expect(dry.body).toMatchObject({ kind: "admin", total: 11, count: 10, problemCount: 1, idKey: "KDCPUM" });
    expect((await call(plan.id, "POST", "/units", JSON.parse(text))).status).toBe(400);
    const made = await call(plan.id, "POST", "/units?skipInvalid=1", JSON.parse(text));
    expect(made).toMatchObject({ status: 201, body: { kind: "admin", count: 10, assigned: 0 } });
    const units = (await call(plan.id, "GET", "/units")).body as {
      features: { id: string; properties: Record<string, unknown> }[];
    };
    expect(units.features[0]?.id).toBe("32.01.010");
    expect(units.features[0]?.properties.population).toBeGreaterThan(0);
  });

  it("refuses a cover the plan cannot hold, with a sentence, and stores nothing", async () => {
    const plan = await createPlanWithLinks(server, "Too big");
    const r = await call(plan.id, "POST", "/units", { kind: "h3", resolution: 8, area: box(95, -11, 141, 6) });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/coarser resolution/);
    expect((await call(plan.id, "GET", "/units")).body.features).toEqual([]);
  });

  it("counts competitors per territory, in a drawn plan and in a unit plan, from the accounts' own import", async () => {
    const plan = await drawnPlan();
    const csv = "kode;lintang;bujur;outlets\nK1;-6,95;107,55;3\nK2;-6,95;107,56;1\nK3;-6,95;107,65;2\n";
    const dry = await call(plan.id, "POST", "/competitors?dryRun=1", csv);
    expect(dry.body).toMatchObject({ dryRun: true, valid: 3 });
    expect((await call(plan.id, "POST", "/competitors", csv)).status).toBe(201);
    const counts = async () => {
      const a = (await call(plan.id, "GET", "/analysis")).body as {
        territories: { id: string; competitors?: number; competitorSums?: Record<string, number> }[];
      };
      return Object.fromEntries(a.territories.map((t) => [t.id, [t.competitors, t.competitorSums?.outlets]]));
    };
    expect(await counts()).toEqual({ west: [2, 4], east: [1, 2] });
    const geo = (await call(plan.id, "GET", "/competitors")).body as { features: unknown[] };
    expect(geo.features).toHaveLength(3);
    await call(plan.id, "POST", "/units", { kind: "h3", resolution: 7, area: "territories" });
    const after = await counts();
    expect((after.west?.[0] ?? 0) + (after.east?.[0] ?? 0)).toBe(3);
  });
});
