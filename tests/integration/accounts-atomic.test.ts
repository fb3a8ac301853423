/**
 * An accounts import is one atomic step (issue 9, item 3): the accounts file
 * carries its version and is the source of truth; a crash between storing
 * it and bumping the document's copy of the version is reconciled when the
 * plan loads, so the analysis and both CSV exports catch up instead of
 * answering 503 forever.
 */
import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readAccountsVersion } from "../../shared/doc/schema.ts";
import { LowdbStore } from "../../server/persistence/lowdb-store.ts";
import { square } from "../fixtures/shapes.ts";
import {
  apiFetch,
  createPlan,
  eventually,
  logged,
  type ServerProcess,
  serversPerTest,
  addTerritories,
  stockClientsPerTest,
} from "./harness.ts";

const start = serversPerTest();
const client = stockClientsPerTest();

/** A plan with one territory (106–106.1 E, 7–6.9 S) and two accounts in it, imported as version 1. */
async function planWithAccounts(server: ServerProcess): Promise<string> {
  const planId = await createPlan(server);
  await addTerritories(server, planId, {
    type: "Feature",
    geometry: square(106, -7),
    properties: { id: "a", name: "Alpha" },
  });
  const imported = await importCsv(
    server,
    planId,
    "id,name,lat,lon,revenue\nx1,Lama Satu,-6.95,106.05,10\nx2,Lama Dua,-6.95,106.06,20\n",
  );
  expect(imported.status).toBe(201);
  expect(((await imported.json()) as { version: number }).version).toBe(1);
  return planId;
}

function importCsv(server: ServerProcess, planId: string, csv: string): Promise<Response> {
  return apiFetch(`${server.url}/api/plans/${planId}/accounts`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
}

const NEW_CSV =
  "id,name,lat,lon,revenue\ny1,Baru Satu,-6.95,106.05,100\ny2,Baru Dua,-6.95,106.06,200\ny3,Baru Tiga,-6.94,106.07,300\n";

/** The analysis, both exports and the accounts all show the three new accounts (version 2). */
async function expectNewAccounts(server: ServerProcess, planId: string): Promise<void> {
  const analysis = await apiFetch(`${server.url}/api/plans/${planId}/analysis`);
  expect(analysis.status).toBe(200);
  const a = (await analysis.json()) as {
    accountsVersion: number;
    territories: { id: string; accounts: number; sums: Record<string, number> }[];
  };
  expect(a.accountsVersion).toBe(2);
  expect(a.territories).toMatchObject([{ id: "a", accounts: 3, sums: { revenue: 600 } }]);

  const assignments = await apiFetch(`${server.url}/api/plans/${planId}/assignments.csv`);
  expect(assignments.status).toBe(200);
  const [head, ...rows] = (await assignments.text()).trim().split("\r\n");
  const columns = (head as string).split(",");
  const cell = (row: string, name: string) => row.split(",")[columns.indexOf(name)];
  expect(rows.map((r) => [cell(r, "account_id"), cell(r, "territory_id"), cell(r, "status")])).toEqual([
    ["y1", "a", "inside"],
    ["y2", "a", "inside"],
    ["y3", "a", "inside"],
  ]);

  const metrics = await apiFetch(`${server.url}/api/plans/${planId}/metrics.csv`);
  expect(metrics.status).toBe(200);
  const [header, row] = (await metrics.text()).trim().split("\r\n");
  const cells = Object.fromEntries((header as string).split(",").map((h, i) => [h, (row as string).split(",")[i]]));
  expect(cells).toMatchObject({ id: "a", accounts: "3", sum_revenue: "600" });

  const accounts = await apiFetch(`${server.url}/api/plans/${planId}/accounts`);
  const fc = (await accounts.json()) as { version: number; features: { id: string }[] };
  expect(fc.version).toBe(2);
  expect(fc.features.map((f) => f.id)).toEqual(["y1", "y2", "y3"]);

  // The document's copy of the version has caught up, so clients refetch.
  const c = client(server, planId, "view");
  await eventually(() => expect(readAccountsVersion(c.doc)).toBe(2));
}

describe("accounts import: one atomic step", () => {
  it("reconciles a document left behind by a crash between storing the accounts and bumping its version", async () => {
    const first = await start();
    const planId = await planWithAccounts(first);
    await first.kill("SIGTERM");

    // The crash: the new accounts file (version 2) is in place, the document still says version 1.
    const store = new LowdbStore(first.dataDir);
    await store.putAccounts(planId, {
      version: 2,
      importedAt: new Date().toISOString(),
      accounts: [
        { id: "y1", name: "Baru Satu", lon: 106.05, lat: -6.95, attrs: { revenue: 100 } },
        { id: "y2", name: "Baru Dua", lon: 106.06, lat: -6.95, attrs: { revenue: 200 } },
        { id: "y3", name: "Baru Tiga", lon: 106.07, lat: -6.94, attrs: { revenue: 300 } },
      ],
    });
    await store.close();

    const second = await start({ dataDir: first.dataDir });
    await expectNewAccounts(second, planId);
    expect(
      logged(
        second,
        { component: "accounts", planId },
        /^the document says accounts 1 and competitors 0, the stored ones are 2 and 0/,
      ),
    ).toHaveLength(1);
    // …and it stays reconciled after a restart, with nothing more to do.
    await second.kill("SIGTERM");
    const third = await start({ dataDir: first.dataDir });
    await expectNewAccounts(third, planId);
    expect(logged(third, { component: "accounts" })).toEqual([]);
  });

  it("loses nothing and reconciles after a real kill -9 between the two steps", async () => {
    const first = await start();
    const planId = await planWithAccounts(first);
    await first.kill("SIGTERM");

    // This server kills itself (SIGKILL) right after the accounts file is in place, before any answer.
    const crashing = await start({ dataDir: first.dataDir, env: { WILAYAH_CRASH_AT: "accounts-stored" } });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      crashing.proc.once("exit", (_code, signal) => resolve(signal)),
    );
    await expect(importCsv(crashing, planId, NEW_CSV)).rejects.toThrow();
    expect(await exited).toBe("SIGKILL");
    // The log says why it died, though the kill leaves no time to write it out afterwards.
    await eventually(() =>
      expect(logged(crashing, { component: "crash-point", point: "accounts-stored" })).toHaveLength(1),
    );
    const stored = JSON.parse(await fs.readFile(`${first.dataDir}/plans/${planId}/accounts.json`, "utf8"));
    expect(stored.data.version).toBe(2);

    const after = await start({ dataDir: first.dataDir });
    await expectNewAccounts(after, planId);
    // The next import carries on from there.
    const next = await importCsv(after, planId, NEW_CSV);
    expect(((await next.json()) as { version: number }).version).toBe(3);
  });

  it("a crash before the accounts file is replaced leaves the old accounts, whole", async () => {
    const first = await start();
    const planId = await planWithAccounts(first);
    await first.kill("SIGTERM");
    // As if the process died mid-write: the temporary file never became accounts.json.
    await fs.writeFile(`${first.dataDir}/plans/${planId}/.accounts.json.0badc0ffee.tmp`, '{"crc32":"0000');
    const second = await start({ dataDir: first.dataDir });
    const fc = (await (await apiFetch(`${second.url}/api/plans/${planId}/accounts`)).json()) as {
      version: number;
      features: { id: string }[];
    };
    expect(fc.version).toBe(1);
    expect(fc.features.map((f) => f.id)).toEqual(["x1", "x2"]);
    expect((await fs.readdir(`${first.dataDir}/plans/${planId}`)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
