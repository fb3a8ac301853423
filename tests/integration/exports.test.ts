/**
 * Data out, and territories in (issue 5), through the real server:
 * territories from GeoJSON and back unchanged, assignments and metrics as
 * CSV that parse back, refused files that change nothing, size limit, roles.
 */
import { describe, expect, it } from "vitest";
import type { ActivityPage } from "../../shared/activity/activity.ts";
import { readCsv } from "../../shared/accounts/csv.ts";
import { ASSIGNMENT_HEADER } from "../../shared/export/tables.ts";
import { apiFetch, type CreatedPlan, createPlanWithLinks, useServer } from "./harness.ts";
import { box } from "../fixtures/shapes.ts";

/** Small enough to test the 413 cheaply, large enough for every file below. */
const LIMIT = 128 * 1024;

const server = useServer({ env: { MAX_BODY_BYTES: String(LIMIT), MAX_TERRITORIES: "20" } });

type Json = Record<string, unknown> & { error?: string };

async function call(plan: CreatedPlan, method: string, path: string, body?: unknown, type = "application/json") {
  const res = await fetch(`${server.url}/api/plans/${plan.id}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${plan.tokens.edit}`,
      "x-wilayah-name": "Ani",
      ...(body === undefined ? {} : { "content-type": type }),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return res;
}

async function json(res: Response): Promise<Json> {
  return (await res.json()) as Json;
}

/** A rectangle with corners given to 7 decimals, as GIS tools write them. */

/** Every attribute a territory can have, as the first territory below is posted (and comes back). */
const BOGOR = {
  id: "bogor",
  name: "Bogor",
  color: "#1b9e77",
  reps: [{ name: "Budi", email: "budi@example.com" }, { name: "Sari" }],
  targets: { revenue: 3000 },
  parent: "jabar",
};

/** Three territories over west Java with 7-decimal coordinates and every attribute. */
const TERRITORIES = {
  type: "FeatureCollection",
  features: [
    {
      type: "Feature",
      properties: BOGOR,
      geometry: box(106.6000001, -6.8123457, 106.8000001, -6.5987654),
    },
    {
      type: "Feature",
      properties: { id: "depok", nama: 'Depok, "Kota"', fill: "#d95f02", reps: ["Andi"], targets: {} },
      geometry: {
        type: "MultiPolygon",
        coordinates: [
          box(106.8000001, -6.5987654, 106.9876543, -6.3000001).coordinates,
          box(107.1234567, -6.5, 107.2, -6.4).coordinates,
        ],
      },
    },
    {
      type: "Feature",
      properties: { id: "bekasi", NAME: "Bekasi", colour: "#7570b3" },
      geometry: box(106.9876543, -6.4, 107.1, -6.1000009),
    },
  ],
};

const ACCOUNTS_CSV = [
  "id,name,lat,lon,revenue",
  "A1,Toko Maju,-6.7,106.7,1000",
  'A2,"Warung ""Sari"", Cabang 2\nBogor",-6.65,106.75,1500',
  "A3,Kios,-6.45,106.9,700",
  "A4,Apotek,-6.2,107.05,300",
  "A5,Jauh,-6.2,106.7,50",
  "A6,Jauh Lagi,-6.9,107.0,25",
].join("\n");

async function importTerritories(plan: CreatedPlan, body: unknown, query = "") {
  const res = await call(plan, "POST", `/territories/import${query}`, body);
  return { status: res.status, body: await json(res) };
}

async function territories(plan: CreatedPlan) {
  const res = await call(plan, "GET", "/territories");
  expect(res.status).toBe(200);
  return (await res.json()) as {
    features: { id: string; geometry: unknown; properties: Record<string, unknown> }[];
  };
}

describe("territories from GeoJSON and back", () => {
  it("exports exactly the coordinates and attributes that were imported", async () => {
    const plan = await createPlanWithLinks(server, "Jawa Barat 2027");
    const r = await importTerritories(plan, TERRITORIES);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      dryRun: false,
      mode: "add",
      imported: 3,
      names: ["Bogor", 'Depok, "Kota"', "Bekasi"],
      problems: [],
      territories: [
        { index: 0, id: "bogor", name: "Bogor" },
        { index: 1, id: "depok", name: 'Depok, "Kota"' },
        { index: 2, id: "bekasi", name: "Bekasi" },
      ],
    });
    const res = await call(plan, "GET", "/territories?download=1");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="jawa-barat-2027-territories.geojson"');
    const text = await res.text();
    const out = JSON.parse(text) as Awaited<ReturnType<typeof territories>>;
    const byId = new Map(out.features.map((f) => [f.id, f]));
    for (const f of TERRITORIES.features) {
      const back = byId.get(f.properties.id);
      expect(back?.geometry).toEqual(f.geometry);
      // Down to the text: 106.8000001, never 106.80000010000001.
      expect(JSON.stringify(back?.geometry)).toBe(JSON.stringify(f.geometry));
    }
    expect(byId.get("bogor")?.properties).toMatchObject(BOGOR);
    expect(byId.get("depok")?.properties).toMatchObject({
      name: 'Depok, "Kota"',
      color: "#d95f02",
      reps: [{ name: "Andi" }],
      targets: {},
      parent: null,
    });
    expect(byId.get("bekasi")?.properties).toMatchObject({ name: "Bekasi", color: "#7570b3" });

    // The export imports again, unchanged, into another plan.
    const copy = await createPlanWithLinks(server, "Copy");
    expect((await importTerritories(copy, out)).status).toBe(201);
    const again = await territories(copy);
    for (const f of out.features) {
      const g = again.features.find((x) => x.id === f.id);
      expect(g?.geometry).toEqual(f.geometry);
      const { metrics: _m, achievement: _a, ...props } = f.properties;
      expect(g?.properties).toMatchObject(props);
    }
  });

  it("previews with dryRun and stores nothing; replace swaps the territories in one go", async () => {
    const plan = await createPlanWithLinks(server);
    await importTerritories(plan, TERRITORIES);
    const replacement = {
      type: "FeatureCollection",
      features: [{ type: "Feature", properties: { wilayah: "Jawa Barat" }, geometry: box(106, -7, 108, -6) }],
    };
    const preview = await importTerritories(plan, replacement, "?mode=replace&dryRun=1");
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      dryRun: true,
      mode: "replace",
      total: 1,
      valid: 1,
      names: ["Jawa Barat"],
      bbox: [106, -7, 108, -6],
      replaced: 3,
      problems: [],
      refused: null,
    });
    expect((await territories(plan)).features).toHaveLength(3);

    const done = await importTerritories(plan, replacement, "?mode=replace");
    expect(done.status).toBe(201);
    const after = await territories(plan);
    expect(after.features.map((f) => f.properties.name)).toEqual(["Jawa Barat"]);

    const feed = (await (await call(plan, "GET", "/activity")).json()) as ActivityPage;
    const imports = feed.entries.filter((e) => e.kind === "territories-imported");
    expect(imports.map((e) => e.details?.imported)).toEqual([1, 3]);
    expect(imports[0]?.actor.name).toBe("Ani");
    // One entry per import, not one per territory created or deleted.
    expect(feed.entries.filter((e) => e.kind === "territory-created" || e.kind === "territory-deleted")).toEqual([]);
  });

  it("refuses a file with one bad feature whole, naming it; skipInvalid imports the rest", async () => {
    const plan = await createPlanWithLinks(server);
    await importTerritories(plan, { type: "FeatureCollection", features: [TERRITORIES.features[0]] });
    const before = await territories(plan);
    const bad = {
      type: "FeatureCollection",
      features: [
        TERRITORIES.features[1],
        {
          type: "Feature",
          properties: { name: "Garis" },
          geometry: {
            type: "LineString",
            coordinates: [
              [106, -6],
              [107, -6],
            ],
          },
        },
      ],
    };
    for (const mode of ["add", "replace"]) {
      const r = await importTerritories(plan, bad, `?mode=${mode}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe(
        '1 of 2 features cannot be imported (the first: feature 2, geometry must be a Polygon or MultiPolygon, not "LineString"), so nothing was imported. Fix them, or import the valid ones only with ?skipInvalid=true.',
      );
      expect(r.body.problems).toEqual([
        { index: 1, name: "Garis", reason: 'geometry must be a Polygon or MultiPolygon, not "LineString"' },
      ]);
      expect(await territories(plan)).toEqual(before);
    }
    const skipped = await importTerritories(plan, bad, "?skipInvalid=1");
    expect(skipped.status).toBe(201);
    expect(skipped.body).toMatchObject({ imported: 1, problemCount: 1 });
    expect((await territories(plan)).features).toHaveLength(2);
  });

  it("refuses what is no territory file, too many territories, and an upload over the size limit", async () => {
    const plan = await createPlanWithLinks(server);
    expect((await importTerritories(plan, { type: "Polygon" })).status).toBe(400);
    expect((await importTerritories(plan, "{not json")).status).toBe(400);
    const many = {
      type: "FeatureCollection",
      features: Array.from({ length: 21 }, (_, i) => ({
        type: "Feature",
        properties: { name: `T${i}` },
        geometry: box(100 + i, 0, 100.5 + i, 0.5),
      })),
    };
    const tooMany = await importTerritories(plan, many);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error).toMatch(/at most 20 territories/);
    const ring = Array.from({ length: 6000 }, (_, i) => [106 + i * 1e-7, -6.1234567]);
    ring.push(ring[0] as number[]);
    const huge = { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } };
    expect(JSON.stringify(huge).length).toBeGreaterThan(LIMIT);
    const r = await importTerritories(plan, huge);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than the 128 KB limit/);
    expect((await territories(plan)).features).toEqual([]);
  });
});

describe("assignments and metrics as CSV", () => {
  it("gives each account the territory the analysis counts it in, and parses back", async () => {
    const plan = await createPlanWithLinks(server, "Jawa Barat");
    expect((await importTerritories(plan, TERRITORIES)).status).toBe(201);
    const imported = await call(plan, "POST", "/accounts", ACCOUNTS_CSV, "text/csv");
    expect(imported.status).toBe(201);

    const res = await call(plan, "GET", "/assignments.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="jawa-barat-assignments.csv"');
    const text = await res.text();
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    const csv = readCsv(text, { delimiter: "," });
    // The columns tables.test.ts spells out.
    expect(csv.headers).toEqual(ASSIGNMENT_HEADER);
    // The reps are what a CRM owner update reads.
    expect(csv.rows).toEqual([
      ["A1", "Toko Maju", "bogor", "Bogor", "inside", "Budi; Sari", "budi@example.com"],
      ["A2", 'Warung "Sari", Cabang 2\nBogor', "bogor", "Bogor", "inside", "Budi; Sari", "budi@example.com"],
      ["A3", "Kios", "depok", 'Depok, "Kota"', "inside", "Andi", ""],
      ["A4", "Apotek", "bekasi", "Bekasi", "inside", "", ""],
      ["A5", "Jauh", "", "", "unassigned", "", ""],
      ["A6", "Jauh Lagi", "", "", "unassigned", "", ""],
    ]);

    const analysis = (await json(await call(plan, "GET", "/analysis"))) as {
      territories: { id: string; accounts: number }[];
      unassignedAccountIds: string[];
    };
    for (const t of analysis.territories) {
      expect(csv.rows.filter((r) => r[2] === t.id)).toHaveLength(t.accounts);
    }
    expect(csv.rows.filter((r) => r[2] === "").map((r) => r[0])).toEqual(analysis.unassignedAccountIds);

    const bom = await (await call(plan, "GET", "/assignments.csv?bom=1")).arrayBuffer();
    expect([...new Uint8Array(bom).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("follows an edit at once: a reshape moves accounts in the next export", async () => {
    const plan = await createPlanWithLinks(server);
    await importTerritories(plan, TERRITORIES);
    await call(plan, "POST", "/accounts", ACCOUNTS_CSV, "text/csv");
    // Bekasi grows west over A5, and over a corner of Depok.
    const put = await call(plan, "PUT", "/territories/bekasi", {
      type: "Feature",
      geometry: box(106.6, -6.4, 107.1, -6.1),
    });
    expect(put.status).toBe(200);
    const csv = readCsv(await (await call(plan, "GET", "/assignments.csv")).text(), { delimiter: "," });
    expect(csv.rows.find((r) => r[0] === "A5")?.slice(2, 5)).toEqual(["bekasi", "Bekasi", "inside"]);
    // Re-imported accounts are exported, not the ones before; one in the overlap goes to the first by id.
    await call(plan, "POST", "/accounts", "id,lat,lon\nZ1,-6.7,106.7\nZ2,-6.35,106.9\n", "text/csv");
    const fresh = readCsv(await (await call(plan, "GET", "/assignments.csv")).text(), { delimiter: "," });
    expect(fresh.rows).toEqual([
      ["Z1", "Z1", "bogor", "Bogor", "inside", "Budi; Sari", "budi@example.com"],
      ["Z2", "Z2", "bekasi", "Bekasi", "overlap", "", ""],
    ]);
  });

  it("writes one metrics row per territory with sums, targets and achievement", async () => {
    const plan = await createPlanWithLinks(server);
    await importTerritories(plan, TERRITORIES);
    await call(plan, "POST", "/accounts", ACCOUNTS_CSV, "text/csv");
    const res = await call(plan, "GET", "/metrics.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = readCsv(await res.text(), { delimiter: "," });
    expect(csv.rows).toHaveLength(3);
    const col = (name: string) => csv.headers.indexOf(name);
    for (const name of ["reps", "accounts", "sum_revenue", "area_km2", "compactness", "parts", "target_revenue"]) {
      expect(col(name)).toBeGreaterThanOrEqual(0);
    }
    expect(col("achievement_revenue")).toBeGreaterThan(0);
    expect(col("deviation_accounts")).toBeGreaterThan(0);
    const bogor = csv.rows.find((r) => r[0] === "bogor") as string[];
    expect(bogor[col("reps")]).toBe("Budi <budi@example.com>; Sari");
    expect(bogor[col("accounts")]).toBe("2");
    expect(bogor[col("sum_revenue")]).toBe("2500");
    expect(bogor[col("target_revenue")]).toBe("3000");
    expect(bogor[col("achievement_revenue")]).toBe("0.8333");
    expect(bogor[col("parts")]).toBe("1");
    const depok = csv.rows.find((r) => r[0] === "depok") as string[];
    expect(depok[col("name")]).toBe('Depok, "Kota"');
    expect(depok[col("parts")]).toBe("2");
    expect(depok[col("achievement_revenue")]).toBe("");
  });
});

describe("who may export and import", () => {
  it("lets a view link export but not import; no token is 401", async () => {
    const plan = await createPlanWithLinks(server);
    await importTerritories(plan, TERRITORIES);
    const base = `${server.url}/api/plans/${plan.id}`;
    for (const path of ["/territories?download=1", "/assignments.csv", "/metrics.csv"]) {
      expect((await fetch(`${base}${path}${path.includes("?") ? "&" : "?"}token=${plan.tokens.view}`)).status).toBe(
        200,
      );
      const none = await fetch(`${base}${path}`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ reason: "missing" });
    }
    for (const role of ["view", "comment"] as const) {
      const r = await fetch(`${base}/territories/import`, {
        method: "POST",
        headers: { authorization: `Bearer ${plan.tokens[role]}`, "content-type": "application/json" },
        body: JSON.stringify(TERRITORIES),
      });
      expect(r.status).toBe(403);
    }
    const none = await fetch(`${base}/territories/import`, { method: "POST", body: JSON.stringify(TERRITORIES) });
    expect(none.status).toBe(401);
    expect((await territories(plan)).features).toHaveLength(3);
    // apiFetch (the edit token) is what other suites use; it works here too.
    expect((await apiFetch(`${base}/metrics.csv`)).status).toBe(200);
  });
});
