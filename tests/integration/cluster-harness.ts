import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { afterEach } from "vitest";
import { dropDatabase, freePort, freshDatabase, REDIS_URL } from "../fixtures/services.ts";
import { type ServerProcess, startServerProcess } from "./harness.ts";

export { freePort } from "../fixtures/services.ts";

/**
 * Several real instances (issue 16) against the machine's real PostgreSQL
 * and Redis — CI starts both; when either cannot be reached these tests
 * fail, they never skip. Each test gets a database and a Redis prefix of its
 * own, so test files may run side by side.
 */
export interface ClusterHandle {
  databaseUrl: string;
  redisPrefix: string;
  instances: ServerProcess[];
  /** Starts one more instance of the same cluster (or a restart on a given port). */
  add(port?: number): Promise<ServerProcess>;
}

export interface ClusterOptions {
  /** Environment of every instance on top of the cluster's own. */
  env?: Record<string, string>;
  /** Redis to use (a test that restarts Redis brings its own). */
  redisUrl?: string;
}

/**
 * The clusters a test starts: `start(n)` gives n instances sharing a fresh
 * database and Redis prefix; after each test every instance is killed (-9),
 * resumed first if a test paused it, and the database dropped.
 */
export function clustersPerTest(): (n: number, opts?: ClusterOptions) => Promise<ClusterHandle> {
  const made: ClusterHandle[] = [];
  afterEach(async () => {
    for (const c of made.splice(0)) {
      for (const s of c.instances) s.proc.kill("SIGCONT");
      await Promise.all(c.instances.map((s) => s.kill("SIGKILL")));
      await Promise.all(c.instances.map((s) => fs.rm(s.dataDir, { recursive: true, force: true })));
      await dropDatabase(c.databaseUrl).catch(() => {});
    }
  });
  return async (n, opts = {}) => {
    const databaseUrl = await freshDatabase();
    const redisPrefix = `wilayah-test-${randomBytes(4).toString("hex")}:`;
    const personKey = randomBytes(24).toString("base64url");
    const handle: ClusterHandle = {
      databaseUrl,
      redisPrefix,
      instances: [],
      async add(port) {
        const chosen = port ?? (await freePort());
        const s = await startServerProcess({
          port: chosen,
          env: {
            DATABASE_URL: databaseUrl,
            REDIS_URL: opts.redisUrl ?? REDIS_URL,
            REDIS_PREFIX: redisPrefix,
            PERSON_KEY: personKey,
            LEASE_MS: "1500",
            ...opts.env,
          },
        });
        handle.instances.push(s);
        return s;
      },
    };
    made.push(handle);
    for (let i = 0; i < n; i++) await handle.add();
    return handle;
  };
}
