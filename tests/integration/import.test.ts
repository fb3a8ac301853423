/**
 * Accounts import through the real server (issue 5): real-world CSV files,
 * the mapping step, all-or-nothing refusal with line numbers, the size limit.
 */
import { describe, expect, it } from "vitest";
import { square } from "../fixtures/shapes.ts";
import { apiFetch, createPlanWithLinks, useServer } from "./harness.ts";

/** Small enough to test the 413 cheaply, large enough for every file below. */
const LIMIT = 64 * 1024;

const server = useServer({ env: { MAX_BODY_BYTES: String(LIMIT) } });

interface Plan {
  id: string;
  headers: Record<string, string>;
}

/** A fresh plan; its edit token goes as a Bearer header (apiFetch adds it to the URL too). */
async function newPlan(): Promise<Plan> {
  const created = await createPlanWithLinks(server, "Import test");
  return { id: created.id, headers: { authorization: `Bearer ${created.tokens.edit}` } };
}

type Body = Record<string, unknown> & { error?: string };

async function postAccounts(plan: Plan, body: string, query = "", type = "text/csv") {
  const res = await apiFetch(`${server.url}/api/plans/${plan.id}/accounts${query}`, {
    method: "POST",
    headers: { ...plan.headers, "content-type": type },
    body,
  });
  return { status: res.status, body: (await res.json()) as Body };
}

async function accounts(plan: Plan) {
  const res = await apiFetch(`${server.url}/api/plans/${plan.id}/accounts`, { headers: plan.headers });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    version: number;
    features: { id: string; geometry: { coordinates: number[] }; properties: Record<string, unknown> }[];
  };
}

/** Territories covering west Java (lon 106…108, lat -7.5…-6): the plan's area. */
async function addJava(plan: Plan) {
  const res = await apiFetch(`${server.url}/api/plans/${plan.id}/territories`, {
    method: "POST",
    headers: { ...plan.headers, "content-type": "application/json" },
    body: JSON.stringify({
      type: "FeatureCollection",
      features: [
        { type: "Feature", geometry: square(106, -7.5, 1.5), properties: { id: "barat", name: "Barat" } },
        { type: "Feature", geometry: square(107.5, -7.5, 0.5), properties: { id: "timur", name: "Timur" } },
      ],
    }),
  });
  expect(res.status).toBe(201);
}

const INDONESIAN = [
  "\uFEFFKode;Nama Outlet;Lintang;Bujur;Omzet;Potensi;Kota",
  "OUT-1;Toko Maju;-6,2001;106,8167;1.250.000,50;2.000.000;Jakarta",
  "",
  'OUT-2;"Warung ""Sari""; Cabang 2";-6,9147;107,6098;875.000;1.500.000,75;Bandung',
].join("\r\n");

describe("accounts import: real-world files", () => {
  it("imports a semicolon CSV with Indonesian numbers and headers", async () => {
    const plan = await newPlan();
    const r = await postAccounts(plan, INDONESIAN);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      imported: 2,
      delimiter: ";",
      mapping: {
        id: "Kode",
        name: "Nama Outlet",
        lat: "Lintang",
        lon: "Bujur",
        attributes: { Omzet: "revenue", Potensi: "potential", Kota: null },
      },
    });
    const fc = await accounts(plan);
    expect(fc.features.map((f) => [f.id, f.geometry.coordinates, f.properties])).toEqual([
      ["OUT-1", [106.8167, -6.2001], { id: "OUT-1", name: "Toko Maju", revenue: 1250000.5, potential: 2000000 }],
      [
        "OUT-2",
        [107.6098, -6.9147],
        { id: "OUT-2", name: 'Warung "Sari"; Cabang 2', revenue: 875000, potential: 1500000.75 },
      ],
    ]);
  });

  it("previews with dryRun: headers, detected mapping, first rows, problems and warnings; stores nothing", async () => {
    const plan = await newPlan();
    await addJava(plan);
    const csv = `${INDONESIAN}\r\nOUT-3;Jauh;-8,65;115,2;1;1;Denpasar\r\nOUT-1;Lagi;-6,3;106,9;1;1;Jakarta\r\n`;
    const r = await postAccounts(plan, csv, "?dryRun=1");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      dryRun: true,
      headers: ["Kode", "Nama Outlet", "Lintang", "Bujur", "Omzet", "Potensi", "Kota"],
      detected: { lat: "Lintang", lon: "Bujur" },
      total: 4,
      valid: 3,
      problems: [{ row: 6, reason: 'id "OUT-1" appears twice: also on line 2' }],
      problemCount: 1,
      warnings: [{ row: 5, kind: "outside", reason: "(lat -8.65, lon 115.2) is 7.2° outside the plan's area" }],
      warningCount: 1,
      refused:
        "1 of 4 rows cannot be imported, so nothing was imported. Fix them, or import the valid rows only with ?skipInvalid=true.",
    });
    expect((r.body.preview as unknown[])[0]).toEqual({
      row: 2,
      cells: ["OUT-1", "Toko Maju", "-6,2001", "106,8167", "1.250.000,50", "2.000.000", "Jakarta"],
    });
    expect((await accounts(plan)).features).toEqual([]);
  });

  it("honours a mapping override passed as JSON in ?mapping=", async () => {
    const plan = await newPlan();
    const csv =
      "Kode,Y,X,GPS Lat,GPS Lon,Omzet 2024,Kode Pos\nA1,0,0,-6.2,106.8,1000,16111\nA2,0,0,-6.3,106.9,2000,16112\n";
    const mapping = {
      lat: "GPS Lat",
      lon: "GPS Lon",
      attributes: { Y: null, X: null, "Omzet 2024": "revenue", "Kode Pos": null },
    };
    const preview = await postAccounts(plan, csv, "?dryRun=true");
    expect(preview.body.detected).toMatchObject({ lat: "Y", lon: "X" });
    const r = await postAccounts(plan, csv, `?mapping=${encodeURIComponent(JSON.stringify(mapping))}`);
    expect(r.status).toBe(201);
    expect(r.body.mapping).toEqual({ id: "Kode", name: null, ...mapping });
    const fc = await accounts(plan);
    expect(fc.features.map((f) => [f.id, f.geometry.coordinates, f.properties])).toEqual([
      ["A1", [106.8, -6.2], { id: "A1", name: "A1", revenue: 1000 }],
      ["A2", [106.9, -6.3], { id: "A2", name: "A2", revenue: 2000 }],
    ]);
  });

  it("refuses a mapping that does not fit the file, with the headers to choose from", async () => {
    const plan = await newPlan();
    const bad = await postAccounts(
      plan,
      "id,lat,lon\na,-6,106\n",
      `?mapping=${encodeURIComponent('{"lat":"Lintang"}')}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe(
      'The mapping names column "Lintang" for latitude, but the file has "id", "lat", "lon".',
    );
    expect(bad.body.headers).toEqual(["id", "lat", "lon"]);
    const notJson = await postAccounts(plan, "id,lat,lon\na,-6,106\n", "?mapping=%7Blat");
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^mapping must be JSON/);
  });

  it("refuses a file with bad rows whole: nothing changes, and the answer names each line and why", async () => {
    const plan = await newPlan();
    expect((await postAccounts(plan, INDONESIAN)).status).toBe(201);
    const before = await accounts(plan);
    const bad = [
      "id;lat;lon;omzet",
      "b1;-6,2;106,8;1.000",
      "b2;106,8;-6,2;1.000",
      "b3;-6,3;106,9;banyak",
      "b1;-6,4;106,9;5",
      "b5;-6,5;106,9;7",
      "b6;-6,6;106,9;8",
    ].join("\n");
    const r = await postAccounts(plan, bad);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(
      "3 of 6 rows cannot be imported, so nothing was imported. Fix them, or import the valid rows only with ?skipInvalid=true.",
    );
    expect(r.body.rows).toMatchObject([
      { row: 3, reason: "latitude 106.8 is outside -90…90 (latitude and longitude look swapped)" },
      { row: 4, reason: 'omzet "banyak" is not a number' },
      { row: 5, reason: 'id "b1" appears twice: also on line 2' },
    ]);
    expect(await accounts(plan)).toEqual(before);
  });

  it("answers 413 to an upload over the size limit, and stores nothing", async () => {
    const plan = await newPlan();
    const rows = ["id,lat,lon"];
    for (let i = 0; rows.join("\n").length <= LIMIT; i++) rows.push(`a${i},-6.${i % 1000},106.${i % 1000}`);
    const r = await postAccounts(plan, rows.join("\n"));
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than the 64 KB limit/);
    expect((await accounts(plan)).features).toEqual([]);
  });
});

describe("imports that can be taken back", () => {
  async function post(plan: Plan, path: string, body: unknown) {
    const res = await apiFetch(`${server.url}/api/plans/${plan.id}${path}`, {
      method: "POST",
      headers: { ...plan.headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  it("brings back the accounts an 8-row replace took, once, and only while it is the latest", async () => {
    const plan = await newPlan();
    const many = ["id,lat,lon", ...Array.from({ length: 50 }, (_, i) => `m${i},-6.9,107.${i % 10}`)].join("\n");
    expect((await postAccounts(plan, many)).status).toBe(201);
    const eight = ["id,lat,lon", ...Array.from({ length: 8 }, (_, i) => `e${i},-6.9,107.${i}`)].join("\n");
    const replaced = await postAccounts(plan, eight);
    expect(replaced.body).toMatchObject({ accounts: 8, version: 2 });
    const undone = await post(plan, "/accounts/undo", { version: 2 });
    expect(undone).toMatchObject({ status: 200, body: { accounts: 50, version: 3 } });
    expect((await accounts(plan)).features).toHaveLength(50);
    // Used up, and an older import cannot be undone.
    expect((await post(plan, "/accounts/undo", { version: 2 })).status).toBe(409);
    await postAccounts(plan, eight);
    await postAccounts(plan, many);
    const stale = await post(plan, "/accounts/undo", { version: 4 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/only the latest/);
  });

  it("brings back the territories a replace took away", async () => {
    const plan = await newPlan();
    await addJava(plan);
    const file = {
      type: "FeatureCollection",
      features: [{ type: "Feature", geometry: square(110, -7.5, 0.5), properties: { name: "Only one" } }],
    };
    const replaced = await post(plan, "/territories/import?mode=replace", file);
    expect(replaced.status).toBe(201);
    const importId = replaced.body.importId as string;
    expect(typeof importId).toBe("string");
    const undone = await post(plan, "/territories/import/undo", { importId });
    expect(undone).toMatchObject({ status: 200, body: { territories: 2 } });
    const fc = (await (
      await apiFetch(`${server.url}/api/plans/${plan.id}/territories`, { headers: plan.headers })
    ).json()) as {
      features: { id: string }[];
    };
    expect(fc.features.map((f) => f.id).sort()).toEqual(["barat", "timur"]);
    expect((await post(plan, "/territories/import/undo", { importId })).status).toBe(409);
  });
});

describe("blank cells and rows without ids", () => {
  it("keeps a blank as a missing value end to end, and warns about made-up ids in the preview", async () => {
    const plan = await newPlan();
    const csv = "lat,lon,revenue,visits\n-6.9,107.1,100,\n-6.9,107.2,,3\n-6.9,107.3,50,2\n";
    const dry = await postAccounts(plan, csv, "?dryRun=1");
    expect(dry.body).toMatchObject({ blanks: { revenue: 1, visits: 1 }, warningCounts: { "no-id": 3 } });
    expect((dry.body.warnings as { kind: string; params: { id: string } }[])[0]).toMatchObject({
      kind: "no-id",
      params: { id: "row-2" },
    });
    expect((await postAccounts(plan, csv)).status).toBe(201);
    const geo = await accounts(plan);
    expect(geo.features.map((f) => f.properties.revenue)).toEqual([100, undefined, 50]);
    const cols = (await (
      await apiFetch(`${server.url}/api/plans/${plan.id}/accounts?format=columns`, { headers: plan.headers })
    ).json()) as { values: Record<string, (number | null)[]> };
    expect(cols.values.revenue).toEqual([100, null, 50]);
    expect(cols.values.visits).toEqual([null, 3, 2]);
  });
});
