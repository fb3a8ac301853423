import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { contentOf } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import { planDoc } from "../../shared/versions/testing.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { LowdbStore } from "./lowdb-store.ts";
import { DamagedVersionError } from "./store.ts";

/** Versions in the lowdb store (issue 14): version-files.ts behind LowdbStore. */
let dataDir: string;
const stores: LowdbStore[] = [];

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-versions-"));
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** A fresh store on the data dir with plan "p1", as after a restart: nothing cached. */
async function openStore(create = false): Promise<LowdbStore> {
  const s = new LowdbStore(dataDir);
  stores.push(s);
  if (create) await s.createPlan({ id: "p1", name: "P", createdAt: "2027-01-01T00:00:00.000Z" });
  return s;
}

const versionsDir = () => path.join(dataDir, "plans", "p1", "versions");
const content = contentOf(planDoc({ territories: [{ id: "west", name: "West", geometry: box(106, -7, 107, -6) }] }), {
  accounts: 0,
  competitors: 0,
  units: 0,
});

function entry(id: string, at = "2027-01-01T10:00:00.000Z"): VersionEntry {
  return {
    id,
    name: `Version ${id}`,
    at,
    by: { id: "p-ani", name: "Ani", role: "edit" },
    auto: false,
    reason: null,
    summary: "1 territory",
    refs: { accounts: 0, competitors: 0, units: 0 },
    bytes: 0,
  };
}

describe("versions in the lowdb store", () => {
  it("stores a version gzipped with its entry, lists it with its size, and reads it back after a restart", async () => {
    const store = await openStore(true);
    const bytes = await store.putVersion("p1", entry("v-a"), content);
    const onDisk = await fs.readFile(path.join(versionsDir(), "v-a.json.gz"));
    expect(bytes).toBe(onDisk.length);
    // Its JSON after an 8-byte header, the geometry's bytes after the JSON, not inside it.
    const plain = gunzipSync(onDisk);
    expect(plain.subarray(8).toString("latin1")).toMatch(
      /^\{"crc32":"[0-9a-f]{8}","data":\{"entry":.*"geometry":"@0\+\d+"/,
    );

    const again = await openStore();
    expect(await again.getVersions("p1")).toEqual([{ ...entry("v-a"), bytes }]);
    expect(JSON.parse((await again.getVersionBody("p1", "v-a")) as string).content).toEqual(content);
    expect(await again.getVersionBody("p1", "v-none")).toBeNull();
  });

  it("rebuilds a damaged list from the version files, and removes files no list names", async () => {
    const store = await openStore(true);
    await store.putVersion("p1", entry("v-a", "2027-01-01T10:00:00.000Z"), content);
    await store.putVersion("p1", entry("v-b", "2027-01-01T11:00:00.000Z"), content);
    await fs.writeFile(path.join(versionsDir(), "index.json"), "{ not json");
    const again = await openStore();
    expect((await again.getVersions("p1")).map((v) => v.id)).toEqual(["v-a", "v-b"]);

    // A delete cut off after the list was written leaves its file: it is no version any more.
    await again.deleteVersions("p1", ["v-b"]);
    await fs.writeFile(
      path.join(versionsDir(), "v-orphan.json.gz"),
      await fs.readFile(path.join(versionsDir(), "v-a.json.gz")),
    );
    const third = await openStore();
    expect((await third.getVersions("p1")).map((v) => v.id)).toEqual(["v-a"]);
    expect(await fs.readdir(versionsDir())).not.toContain("v-orphan.json.gz");
  });

  it("reports a damaged or missing version file, keeps it listed and copies it aside", async () => {
    const store = await openStore(true);
    await store.putVersion("p1", entry("v-a"), content);
    await store.putVersion("p1", entry("v-b"), content);
    const file = path.join(versionsDir(), "v-a.json.gz");
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 12] ^= 0x55;
    await fs.writeFile(file, bytes);
    await fs.rm(path.join(versionsDir(), "v-b.json.gz"));

    const again = await openStore();
    await expect(again.getVersionBody("p1", "v-a")).rejects.toBeInstanceOf(DamagedVersionError);
    await expect(again.getVersionBody("p1", "v-b")).rejects.toThrow(/missing/);
    const listed = await again.getVersions("p1");
    expect(listed.map((v) => [v.id, !!v.damaged])).toEqual([
      ["v-a", true],
      ["v-b", true],
    ]);
    expect(await fs.readFile(file)).toEqual(bytes);
    await vi.waitFor(async () => {
      const aside = (await fs.readdir(path.join(dataDir, "plans", "p1"))).find((n) => n.startsWith("damaged-"));
      expect(aside).toBeDefined();
    });
  });

  it("keeps the accounts once per import, from the current file or the kept copy", async () => {
    const store = await openStore(true);
    expect(await store.keepData("p1", "accounts")).toBe(0);
    const accounts = [{ id: "a1", name: "A1", lon: 106.5, lat: -6.5, attrs: { revenue: 5 } }];
    await store.putAccounts("p1", { version: 3, importedAt: "2027-01-01T00:00:00.000Z", accounts });
    // Not kept yet: read from the current file.
    expect(JSON.parse((await store.getKeptData("p1", "accounts", 3)) as string)).toMatchObject({ version: 3 });
    expect(await store.keepData("p1", "accounts")).toBe(3);
    expect(await store.keepData("p1", "accounts")).toBe(3);
    await store.putAccounts("p1", { version: 4, importedAt: "2027-01-02T00:00:00.000Z", accounts: [] });
    expect(JSON.parse((await store.getKeptData("p1", "accounts", 3)) as string)).toMatchObject({
      version: 3,
      rows: [["a1", "A1", 106.5, -6.5, 5]],
    });
    expect(await store.getKeptData("p1", "accounts", 2)).toBeNull();
    expect(await store.keptVersions("p1", "accounts")).toEqual([3]);
    await store.dropKeptData("p1", "accounts", 3);
    expect(await store.keptVersions("p1", "accounts")).toEqual([]);
  });
});
