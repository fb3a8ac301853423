import type { ServerConfig } from "../config.ts";
import { LowdbStore } from "./lowdb-store.ts";
import { PgStore } from "./pg-store.ts";
import type { PlanStore } from "./store.ts";

/**
 * The store the configuration asks for: PostgreSQL, migrated, when
 * DATABASE_URL is set (issue 16), else the files in DATA_DIR. `fencing`:
 * several instances share the database, and each writes a plan only while
 * it holds the plan's fence (PgStore.takeFence).
 */
export async function openStore(
  config: Pick<ServerConfig, "dataDir" | "databaseUrl">,
  opts: { fencing?: boolean } = {},
): Promise<PlanStore> {
  if (config.databaseUrl) return PgStore.open({ url: config.databaseUrl, fencing: opts.fencing ?? false });
  return new LowdbStore(config.dataDir);
}
