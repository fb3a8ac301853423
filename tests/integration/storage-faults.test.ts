/**
 * A full disk and a read-only data folder (issue 9, smaller items), against
 * the real server started in this process, so the test can make the file
 * system refuse writes the way a full or read-only disk does.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readAccountsVersion } from "../../shared/doc/schema.ts";
import { type WilayahServer, startServer } from "../../server/app.ts";
import { configFromEnv } from "../../server/config.ts";
import { square } from "../fixtures/shapes.ts";
import { tempDataDir } from "./harness.ts";

let server: WilayahServer;
let url: string;
let dataDir: string;

beforeEach(async () => {
  dataDir = await tempDataDir();
  server = await startServer(
    configFromEnv({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SEED_DEMO: "0",
      SCORING: "0",
      ROOM_IDLE_MS: "0",
      RATE_LIMIT_PER_SEC: "0",
      PLANS_PER_HOUR: "0",
    }),
  );
  url = `http://127.0.0.1:${server.port}`;
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function errnoError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** Makes every write to a path the test picks fail with `code`, as the kernel would. */
function failWrites(code: string, which: (file: string) => boolean): void {
  const realOpen = fs.open;
  vi.spyOn(fs, "open").mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const [file, flags] = args;
    if (which(String(file)) && flags !== undefined && flags !== "r") throw errnoError(code);
    return realOpen(...args);
  });
  for (const name of ["mkdir", "mkdtemp", "rename", "link", "copyFile", "rm", "truncate"] as const) {
    const real = fs[name] as (...a: unknown[]) => Promise<unknown>;
    vi.spyOn(fs, name).mockImplementation((async (...a: unknown[]) => {
      if (which(String(a[0]))) throw errnoError(code);
      return real(...a);
    }) as never);
  }
}

async function createPlan(): Promise<{ id: string; token: string }> {
  const res = await fetch(`${url}/api/plans`, { method: "POST", body: "{}" });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; links: { edit: string } };
  return { id: body.id, token: new URL(body.links.edit).searchParams.get("token") as string };
}

function call(plan: { id: string; token: string }, method: string, rest: string, body?: unknown, type?: string) {
  return fetch(`${url}/api/plans/${plan.id}${rest}`, {
    method,
    headers: { authorization: `Bearer ${plan.token}`, ...(type ? { "content-type": type } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const feature = { type: "Feature", geometry: square(106, -7), properties: { id: "a", name: "A" } };

/** The edit each fault is met with: territory a renamed B. */
const renameA = (plan: { id: string; token: string }) =>
  call(plan, "PUT", "/territories/a", { type: "Feature", properties: { name: "B" } }, "application/json");

describe("a full disk", () => {
  it("answers 503 'the disk is full' to an edit, not 500", async () => {
    const plan = await createPlan();
    expect((await call(plan, "POST", "/territories", feature, "application/json")).status).toBe(201);
    failWrites("ENOSPC", (f) => f.endsWith(".log"));
    const res = await renameA(plan);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/^The server's disk is full; nothing was saved/);
  });

  it("answers 503 to an accounts import and leaves no temporary file behind", async () => {
    const plan = await createPlan();
    failWrites("ENOSPC", (f) => f.endsWith(".tmp"));
    const res = await call(plan, "POST", "/accounts", "id,name,lat,lon\nx1,Toko,-6.9,106.1\n", "text/csv");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/disk is full/);
    vi.restoreAllMocks();
    const files = await fs.readdir(path.join(dataDir, "plans", plan.id));
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("acknowledges an accounts import whose file landed even when the document's version bump cannot be saved", async () => {
    const plan = await createPlan();
    failWrites("ENOSPC", (f) => f.endsWith(".log"));
    const res = await call(plan, "POST", "/accounts", "id,name,lat,lon\nx1,Toko,-6.9,106.1\n", "text/csv");
    // The accounts are stored (the file is the truth): not "nothing was saved".
    expect(res.status).toBe(201);
    expect(((await res.json()) as { version: number }).version).toBe(1);
    vi.restoreAllMocks();
    await server.close();
    server = await startServer(
      configFromEnv({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, SEED_DEMO: "0", SCORING: "0" }),
    );
    const version = await server.rooms.with({ planId: plan.id, part: "" }, async (room) =>
      readAccountsVersion(room.doc),
    );
    expect(version).toBe(1);
  });

  it("answers 503 to a new plan, leaving no unfinished plan folder", async () => {
    failWrites("ENOSPC", (f) => f.includes(`${path.sep}.new-`));
    const res = await fetch(`${url}/api/plans`, { method: "POST", body: "{}" });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/disk is full/);
    vi.restoreAllMocks();
    expect(await fs.readdir(path.join(dataDir, "plans"))).toEqual([]);
  });
});

describe("a read-only data folder", () => {
  it("still serves a plan (even one a crash left with a torn log) and says it cannot be written, not read", async () => {
    const plan = await createPlan();
    expect((await call(plan, "POST", "/territories", feature, "application/json")).status).toBe(201);
    await server.close();
    // A crash left half a record at the end of the log.
    const dir = path.join(dataDir, "plans", plan.id);
    const log = (await fs.readdir(dir)).find((f) => f.endsWith(".log")) as string;
    await fs.appendFile(path.join(dir, log), Buffer.from([100, 0, 0, 0, 9, 9]));
    server = await startServer(
      configFromEnv({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, SEED_DEMO: "0", SCORING: "0" }),
    );
    url = `http://127.0.0.1:${server.port}`;
    failWrites("EROFS", (f) => f.startsWith(dataDir));

    const read = await call(plan, "GET", "/territories");
    expect(read.status).toBe(200);
    expect(((await read.json()) as { features: unknown[] }).features).toHaveLength(1);
    const write = await renameA(plan);
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: string }).error).toMatch(
      /^The server cannot write to its data folder \(it is read-only\); nothing was saved/,
    );
    const created = await fetch(`${url}/api/plans`, { method: "POST", body: "{}" });
    expect(created.status).toBe(503);
    expect(((await created.json()) as { error: string }).error).toMatch(/cannot write to its data folder/);
  });

  it("makes GET /api/ready answer 503 naming storage, and 200 again once writes work (issue 16)", async () => {
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);
    failWrites("EROFS", (f) => f.startsWith(dataDir));
    const refused = await fetch(`${url}/api/ready`);
    expect(refused.status).toBe(503);
    const body = (await refused.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.ready).toBe(false);
    expect(body.checks.storage).toMatchObject({ ok: false, error: expect.stringMatching(/read-only/) });
    // Liveness is another question: the process is alive.
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    vi.restoreAllMocks();
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);
  });
});
