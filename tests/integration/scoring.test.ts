import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import { MessageType } from "../../shared/protocol/messages.ts";
import { closed, polygon, square } from "../fixtures/shapes.ts";
import { apiFetch, createPlan, eventually, useServer, addTerritories } from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const server = useServer();

const CSV = [
  "ID,Name,Latitude,Longitude,Revenue,Potential,segment",
  "a1,Toko Satu,-6.95,106.05,100,200,retail",
  "a2,Toko Dua,-6.95,106.15,300,500,retail",
  "a3,Toko Tiga,-6.95,107.05,50,80,grosir",
  "a4,Toko Empat,-6.95,108.5,10,20,retail",
].join("\n");

async function postAccounts(planId: string, body: string, query = "", type = "text/csv") {
  const res = await apiFetch(`${server.url}/api/plans/${planId}/accounts${query}`, {
    method: "POST",
    headers: { "content-type": type },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
}

async function analysis(planId: string): Promise<AnalysisMessage> {
  const res = await apiFetch(`${server.url}/api/plans/${planId}/analysis`);
  expect(res.status).toBe(200);
  return (await res.json()) as AnalysisMessage;
}

async function addTerritory(planId: string, id: string, x: number, size = 0.3) {
  await addTerritories(server, planId, {
    type: "Feature",
    geometry: square(x, -7.0, size),
    properties: { id, name: id.toUpperCase() },
  });
}

/** A client's edit, sent as one update over its socket. */
function edit(client: RawClient, fn: (doc: Y.Doc) => void): void {
  const before = Y.encodeStateVector(client.doc);
  fn(client.doc);
  client.sendUpdate(Y.encodeStateAsUpdate(client.doc, before));
}

const metricsOf = (a: AnalysisMessage | undefined, id: string) => a?.territories.find((t) => t.id === id);

describe("accounts import", () => {
  it("imports a CSV, recognising columns, and serves the accounts back as GeoJSON", async () => {
    const planId = await createPlan(server);
    const r = await postAccounts(planId, CSV);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      imported: 4,
      version: 1,
      columns: { lat: "Latitude", lon: "Longitude", metrics: ["Revenue", "Potential"], ignored: ["segment"] },
    });
    const fc = await (await apiFetch(`${server.url}/api/plans/${planId}/accounts`)).json();
    expect(fc.features).toHaveLength(4);
    expect(fc.features[0]).toEqual({
      type: "Feature",
      id: "a1",
      geometry: { type: "Point", coordinates: [106.05, -6.95] },
      properties: { id: "a1", name: "Toko Satu", Revenue: 100, Potential: 200 },
    });
  });

  it("refuses a file with a bad row whole, naming the line, and stores nothing", async () => {
    const planId = await createPlan(server);
    await postAccounts(planId, CSV);
    const bad = `${CSV}\na5,Toko Lima,-6.9,not-a-lon,1,1,retail\na6,Toko Enam,-95,106,1,1,retail`;
    const r = await postAccounts(planId, bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/2 of 6 rows cannot be imported, so nothing was imported/);
    expect(r.body.rows).toMatchObject([
      { row: 6, reason: 'longitude "not-a-lon" is not a number' },
      { row: 7, reason: "latitude -95 is outside -90…90" },
    ]);
    const fc = await (await apiFetch(`${server.url}/api/plans/${planId}/accounts`)).json();
    expect(fc.features.map((f: { id: string }) => f.id)).toEqual(["a1", "a2", "a3", "a4"]);
    expect(fc.version).toBe(1);

    const skipped = await postAccounts(planId, bad, "?skipInvalid=true");
    expect(skipped.status).toBe(201);
    expect(skipped.body).toMatchObject({ imported: 4, problemCount: 2, version: 2 });
  });

  it("previews with dryRun without storing, and appends with mode=append", async () => {
    const planId = await createPlan(server);
    const preview = await postAccounts(planId, CSV, "?dryRun=true");
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ dryRun: true, total: 4, valid: 4, problemCount: 0 });
    expect((await (await apiFetch(`${server.url}/api/plans/${planId}/accounts`)).json()).features).toEqual([]);

    await postAccounts(planId, CSV);
    const more = await postAccounts(planId, "id,lat,lon,Revenue\nb1,-7,106.1,5\na1,-7,106.1,5", "?mode=append");
    expect(more.status).toBe(400);
    expect(more.body.rows).toEqual([
      { row: 0, code: "id-in-plan", params: { id: "a1" }, reason: 'id "a1" is already in the plan' },
    ]);
    // Read once before the append, so the served (cached) answer must move on with the version.
    for (const encoding of ["gzip", "identity"]) {
      const before = await apiFetch(`${server.url}/api/plans/${planId}/accounts`, {
        headers: { "accept-encoding": encoding },
      });
      expect(((await before.json()) as { features: unknown[] }).features).toHaveLength(4);
    }
    const ok = await postAccounts(planId, "id,lat,lon,Revenue\nb1,-7,106.1,5", "?mode=append");
    expect(ok.body).toMatchObject({ imported: 1, accounts: 5 });
    for (const encoding of ["gzip", "identity"]) {
      const after = await apiFetch(`${server.url}/api/plans/${planId}/accounts`, {
        headers: { "accept-encoding": encoding },
      });
      const body = (await after.json()) as { version: number; features: { id: string }[] };
      expect(body.version).toBe(2);
      expect(body.features.map((f) => f.id)).toEqual(["a1", "a2", "a3", "a4", "b1"]);
    }
    // The same content as columns (what the web client asks for).
    const geo = (await (await apiFetch(`${server.url}/api/plans/${planId}/accounts`)).json()) as {
      features: { id: string; geometry: { coordinates: [number, number] }; properties: Record<string, unknown> }[];
    };
    const cols = await (await apiFetch(`${server.url}/api/plans/${planId}/accounts?format=columns`)).json();
    expect(cols).toMatchObject({ format: "columns", version: 2, count: 5, ids: ["a1", "a2", "a3", "a4", "b1"] });
    expect(cols.lon).toEqual(geo.features.map((f) => f.geometry.coordinates[0]));
    expect(cols.lat).toEqual(geo.features.map((f) => f.geometry.coordinates[1]));
    for (const name of cols.attributes as string[]) {
      // A value the account does not have (its cell was blank) is null, never 0.
      expect(cols.values[name]).toEqual(geo.features.map((f) => f.properties[name] ?? null));
    }
    expect((await apiFetch(`${server.url}/api/plans/${planId}/accounts?format=xml`)).status).toBe(400);
  });

  it("takes a GeoJSON FeatureCollection of points", async () => {
    const planId = await createPlan(server);
    const r = await postAccounts(
      planId,
      JSON.stringify({
        type: "FeatureCollection",
        features: [
          {
            type: "Feature",
            geometry: { type: "Point", coordinates: [106.1, -6.9] },
            properties: { id: "g1", revenue: 7 },
          },
        ],
      }),
      "",
      "application/geo+json",
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ format: "geojson", imported: 1 });
  });

  it("gzips a large accounts answer for clients that accept it", async () => {
    const planId = await createPlan(server);
    const rows = Array.from({ length: 1000 }, (_, i) => `c${i},Toko ${i},${-7 + i / 1e4},${106 + i / 1e4},${i}`);
    expect((await postAccounts(planId, ["id,name,lat,lon,revenue", ...rows].join("\n"))).status).toBe(201);
    const res = await apiFetch(`${server.url}/api/plans/${planId}/accounts`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(((await res.json()) as { features: unknown[] }).features).toHaveLength(1000);
    const plain = await apiFetch(`${server.url}/api/plans/${planId}/accounts`, {
      headers: { "accept-encoding": "identity" },
    });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(((await plain.json()) as { features: unknown[] }).features).toHaveLength(1000);
  });

  it("answers 400 to a file without coordinates and to an empty upload", async () => {
    const planId = await createPlan(server);
    expect((await postAccounts(planId, "id,city\n1,Bandung")).body.error).toMatch(/latitude and a longitude column/);
    expect((await postAccounts(planId, "   ")).status).toBe(400);
  });
});

describe("live analysis", () => {
  it("recomputes after an edit by one socket client, seen by another client and by the API", async () => {
    const planId = await createPlan(server);
    await postAccounts(planId, CSV);
    await addTerritory(planId, "west", 106.0, 0.1); // contains a1 (106.05) only
    const editor = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    const watcher = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      await eventually(() => expect(metricsOf(watcher.analysis, "west")?.accounts).toBe(1));
      expect(watcher.analysis?.accountTerritory).toEqual([0, -1, -1, -1]);
      await eventually(() => expect(editor.synced).toBe(true));
      // Widen "west" so it swallows a2 (106.15) as well.
      edit(editor, (doc) => updateTerritory(doc, "west", { geometry: square(106.0, -7.1, 0.6) }));
      await eventually(() =>
        expect(metricsOf(watcher.analysis, "west")).toMatchObject({
          accounts: 2,
          sums: { Revenue: 400, Potential: 700 },
        }),
      );
      expect(watcher.analysis?.accountTerritory).toEqual([0, 0, -1, -1]);
      const api = await analysis(planId);
      expect(metricsOf(api, "west")?.accounts).toBe(2);
      expect(api.issues.find((i) => i.kind === "unassigned-accounts")?.params.accounts).toBe(2);
      expect(api).not.toHaveProperty("accountTerritory");
    } finally {
      editor.close();
      watcher.close();
    }
  });

  it("reports self-intersecting and overlapping territories as issues, never crashing", async () => {
    const planId = await createPlan(server);
    await postAccounts(planId, CSV);
    await addTerritory(planId, "west", 106.0, 0.3);
    const editor = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      await eventually(() => expect(editor.synced).toBe(true));
      edit(editor, (doc) =>
        writeTerritory(doc, {
          id: "bow",
          name: "Bow tie",
          color: "#e7298a",
          reps: [],
          targets: {},
          parent: null,
          geometry: polygon(closed([106.1, -7.0], [106.5, -6.6], [106.5, -7.0], [106.1, -6.6])),
        }),
      );
      await eventually(async () => {
        const kinds = (await analysis(planId)).issues.map((i) => `${i.kind}:${i.territoryIds.join("+")}`);
        expect(kinds).toContain("invalid-geometry:bow");
        expect(kinds).toContain("overlap:bow+west");
      });
      expect(editor.refusals).toEqual([]);
      expect((await apiFetch(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      editor.close();
    }
  });

  it("refuses a client that tries to write the analysis, and relays nothing", async () => {
    const planId = await createPlan(server);
    await addTerritory(planId, "west", 106.0);
    const forger = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    const watcher = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      await eventually(() => expect(watcher.analysis).toBeDefined());
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.analysis);
      encoding.writeVarString(encoder, JSON.stringify({ ...watcher.analysis, seq: 999_999, computeMs: -1 }));
      forger.sendRaw(encoding.toUint8Array(encoder));
      await eventually(() => expect(forger.refusals[0]).toMatchObject({ code: "forbidden", reset: false }));
      expect(forger.refusals[0]?.message).toMatch(/computed by the server/);
      // A real change afterwards: once its analysis has arrived, a relayed forgery would have too.
      await apiFetch(`${server.url}/api/plans/${planId}/territories/west`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "Feature", properties: { name: "West renamed" } }),
      });
      await eventually(() => expect(metricsOf(watcher.analysis, "west")?.name).toBe("West renamed"));
      expect(watcher.analyses.filter((a) => a.seq === 999_999 || a.computeMs < 0)).toEqual([]);
      expect((await analysis(planId)).seq).not.toBe(999_999);
    } finally {
      forger.close();
      watcher.close();
    }
  });

  it("reloads the accounts when they are re-imported, and clients see the new counts", async () => {
    const planId = await createPlan(server);
    await addTerritory(planId, "west", 106.0, 0.1);
    const watcher = await RawClient.connect(`${server.wsUrl}/sync/${planId}`);
    try {
      await eventually(() => expect(metricsOf(watcher.analysis, "west")?.accounts).toBe(0));
      await postAccounts(planId, CSV);
      await eventually(() => expect(watcher.analysis).toMatchObject({ accountsVersion: 1 }));
      expect(metricsOf(watcher.analysis, "west")?.accounts).toBe(1);
    } finally {
      watcher.close();
    }
  });
});
