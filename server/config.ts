import path from "node:path";

/** Everything the server reads from the environment, in one place. */
export interface ServerConfig {
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on; unset: every interface. */
  host: string | undefined;
  /** Where plans are stored. */
  dataDir: string;
  /** Built client to serve; missing → API and sync still work. */
  staticDir: string;
  /** How long an unused room stays in memory after its last client leaves. */
  roomIdleMs: number;
  /** Compact a document's update log into its snapshot once the log passes this size… */
  compactLogBytes: number;
  /** …after this quiet period… */
  compactWaitMs: number;
  /** …and at the latest after this long. */
  compactMaxWaitMs: number;
  /** Largest REST request body. */
  maxBodyBytes: number;
  /** Create the demo plan on start when it does not exist. */
  seedDemo: boolean;
  /** Live scoring (off only to measure what it costs). */
  scoring: boolean;
  /** When set, `POST /api/plans` needs it as a Bearer token; unset: anyone may create plans. */
  adminToken: string | null;
  /** Requests (REST calls and socket upgrades) per second per client address, on average; 0: no limit. */
  rateLimitPerSec: number;
  /** …and in a burst. */
  rateLimitBurst: number;
  /** Plans created per hour per client address (when no ADMIN_TOKEN guards creation); 0: no limit. */
  plansPerHour: number;
  /** Open sockets per plan. */
  maxConnectionsPerPlan: number;
  /** Territories per plan. */
  maxTerritories: number;
  /** Auto-balance runs at once on this server (each holds a core while it runs; issue 13). */
  balanceMaxRuns: number;
  /** At most one automatic checkpoint per this many ms while people edit a plan (issue 14). */
  versionCheckpointMs: number;
  /** Document updates one socket may send per second on average (0: no limit)… */
  syncUpdatesPerSec: number;
  /** …and in a burst. */
  syncUpdateBurst: number;
  /** Bytes queued for one socket before it counts as not keeping up and is dropped. */
  syncMaxBufferedBytes: number;
  /**
   * Open connections (HTTP connections and sockets) per client address; 0: no
   * limit. Behind a trusted proxy: requests in flight and sockets per forwarded address.
   */
  maxConnectionsPerAddress: number;
  /**
   * Proxies in front of the server whose X-Forwarded-For / X-Forwarded-Proto
   * are believed (0: none; the address is the socket's).
   */
  trustProxy: number;
  /** A request's headers must arrive within this (half-sent requests are dropped). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Where people reach the server (`https://wilayah.example.com`), for links in answers; null: from the request. */
  publicUrl: string | null;
  /** Copies of the demo one address may make per hour; 0: no limit. */
  demoCopiesPerHour: number;
  /** A demo copy nobody has opened or changed for this many days is deleted; 0: kept forever. */
  demoCopyTtlDays: number;
  /** Key of the person secrets (HMAC); null: generated once and kept in DATA_DIR. */
  personKey: string | null;
  /** Several instances (issue 16): Redis for the plans' leases; null: one instance. Needs DATABASE_URL. */
  redisUrl: string | null;
  /** Prefix of this deployment's keys in Redis. */
  redisPrefix: string;
  /** A plan's owner that stops renewing its lease loses it after this long. */
  leaseMs: number;
  /** How the other instances reach this one (`http://10.0.0.5:8080`); null: http://127.0.0.1:<port>. */
  instanceUrl: string | null;
  /** PostgreSQL to store plans in (`postgres://…`, issue 16); null: files in DATA_DIR. */
  databaseUrl: string | null;
  /** When set, `GET /metrics` needs it as a Bearer token; unset: open, like /api/health. */
  metricsToken: string | null;
}

/** REDIS_URL: redis:// or rediss://, or unset. */
function redisUrl(value: string | undefined): string | null {
  if (!value) return null;
  if (!/^rediss?:\/\/./.test(value)) throw new Error(`REDIS_URL must look like redis://host:6379, got "${value}"`);
  return value;
}

/** INSTANCE_URL: the http:// origin other instances reach this one at. */
function instanceUrl(value: string | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`INSTANCE_URL must be an http:// URL such as http://10.0.0.5:8080, got "${value}"`);
  }
  if (url.protocol !== "http:") throw new Error(`INSTANCE_URL must start with http://, got "${value}"`);
  return url.origin;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number ≥ 0, got "${value}"`);
  return n;
}

function decimal(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected a number ≥ 0, got "${value}"`);
  return n;
}

/** PUBLIC_URL as an origin (`https://host[:port]`), refusing anything that is not an http(s) URL. */
function publicUrl(value: string | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute http:// or https:// URL, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`PUBLIC_URL must start with http:// or https://, got "${value}"`);
  }
  // The client is served from the root (its routes are /plan/…), so a path cannot be honoured.
  if (url.pathname !== "/" || url.search || url.hash) {
    throw new Error(`PUBLIC_URL is the scheme and host only (like https://wilayah.example.com), got "${value}"`);
  }
  return url.origin;
}

/** DATABASE_URL, refusing anything that is not a postgres:// or postgresql:// URL. */
function databaseUrl(value: string | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `DATABASE_URL must be a postgres:// URL (like postgres://user:password@host:5432/wilayah), got something that is not a URL`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    // Not echoed whole: it may hold a password.
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql://, got "${url.protocol}//…"`);
  }
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: int(env.PORT, 8080),
    host: env.HOST || undefined,
    dataDir: path.resolve(env.DATA_DIR ?? "./data"),
    staticDir: path.resolve(env.STATIC_DIR ?? "./dist"),
    roomIdleMs: int(env.ROOM_IDLE_MS, 2_000),
    compactLogBytes: int(env.COMPACT_LOG_BYTES, 1024 * 1024),
    compactWaitMs: int(env.COMPACT_WAIT_MS, 2_000),
    compactMaxWaitMs: int(env.COMPACT_MAX_WAIT_MS, 5_000),
    maxBodyBytes: int(env.MAX_BODY_BYTES, 16 * 1024 * 1024),
    seedDemo: env.SEED_DEMO !== "0",
    scoring: env.SCORING !== "0",
    adminToken: env.ADMIN_TOKEN || null,
    rateLimitPerSec: int(env.RATE_LIMIT_PER_SEC, 50),
    rateLimitBurst: int(env.RATE_LIMIT_BURST, 300),
    plansPerHour: int(env.PLANS_PER_HOUR, 60),
    maxConnectionsPerPlan: int(env.MAX_CONNECTIONS_PER_PLAN, 250),
    maxTerritories: int(env.MAX_TERRITORIES, 5000),
    balanceMaxRuns: Math.max(1, int(env.BALANCE_MAX_RUNS, 1)),
    versionCheckpointMs: int(env.VERSION_CHECKPOINT_MS, 5 * 60_000),
    syncUpdatesPerSec: int(env.SYNC_UPDATES_PER_SEC, 50),
    syncUpdateBurst: int(env.SYNC_UPDATE_BURST, 200),
    syncMaxBufferedBytes: int(env.SYNC_MAX_BUFFERED_BYTES, 32 * 1024 * 1024),
    maxConnectionsPerAddress: int(env.MAX_CONNECTIONS_PER_ADDRESS, 256),
    trustProxy: int(env.TRUST_PROXY, 0),
    headersTimeoutMs: int(env.HEADERS_TIMEOUT_MS, 10_000),
    requestTimeoutMs: int(env.REQUEST_TIMEOUT_MS, 120_000),
    keepAliveTimeoutMs: int(env.KEEP_ALIVE_TIMEOUT_MS, 5_000),
    publicUrl: publicUrl(env.PUBLIC_URL),
    demoCopiesPerHour: int(env.DEMO_COPIES_PER_HOUR, 20),
    demoCopyTtlDays: decimal(env.DEMO_COPY_TTL_DAYS, 3),
    personKey: env.PERSON_KEY || null,
    redisUrl: redisUrl(env.REDIS_URL),
    redisPrefix: env.REDIS_PREFIX || "wilayah:",
    leaseMs: Math.max(500, int(env.LEASE_MS, 4_000)),
    instanceUrl: instanceUrl(env.INSTANCE_URL),
    databaseUrl: databaseUrl(env.DATABASE_URL),
    metricsToken: env.METRICS_TOKEN || null,
  };
}
