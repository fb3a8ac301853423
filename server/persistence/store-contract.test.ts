import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LowdbStore } from "./lowdb-store.ts";
import { PgStore } from "./pg-store.ts";
import { freshSchema } from "./pg/testing.ts";
import { describeStoreContract } from "./store-contract.ts";

let dataDir = "";
describeStoreContract("LowdbStore", {
  prepare: async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-contract-"));
  },
  makeStore: async () => new LowdbStore(dataDir),
  cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
});

// PostgreSQL must be reachable: these fail (never skip) without it, as CI must run them.
let schema: Awaited<ReturnType<typeof freshSchema>> | null = null;
describeStoreContract("PgStore", {
  prepare: async () => {
    schema = await freshSchema();
  },
  makeStore: () => PgStore.open({ url: (schema as NonNullable<typeof schema>).url, schema: schema?.schema }),
  cleanup: async () => {
    await schema?.drop();
  },
});
