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
  /** On SIGTERM/SIGINT, give up saving and handing over and exit 1 after this long. */
  shutdownTimeoutMs: number;
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

/**
 * Everything wrong with the environment, each problem naming its variable
 * and what it expects, so an operator fixes them all in one go rather than
 * one start at a time.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The configuration has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
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

/** What a person writes for yes and no, in any case (`SEED_DEMO=false` must not mean "seed"). */
const YES = new Set(["1", "true", "yes", "on"]);
const NO = new Set(["0", "false", "no", "off"]);
export const BOOLEAN_WORDS = "1/0, true/false, yes/no or on/off";

/**
 * Reads variables from `env`, collecting a problem for each bad one instead
 * of throwing at the first; an unset or empty variable takes its default.
 */
class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  private bad(name: string, expected: string, value: string): void {
    this.problems.push(`${name} must be ${expected}, got "${value}"`);
  }

  /** A whole number in [min, max]; the default when unset or wrong (the problem is kept). */
  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `between ${min} and ${max}`;
      this.bad(name, `a whole number ${range}`, value);
      return fallback;
    }
    return n;
  }

  /** A number ≥ 0, decimals allowed. */
  decimal(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) {
      this.bad(name, "a number 0 or more (decimals with a point, like 0.5)", value);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const word = value.toLowerCase();
    if (YES.has(word)) return true;
    if (NO.has(word)) return false;
    this.bad(name, BOOLEAN_WORDS, value);
    return fallback;
  }

  /** A value parsed by `parse`, whose error (naming the variable) is kept as a problem; `fallback` then. */
  check<T>(parse: () => T, fallback: T): T {
    try {
      return parse();
    } catch (e) {
      this.problems.push((e as Error).message);
      return fallback;
    }
  }

  /** Text as given (not trimmed: a key or token is what it is); null when unset or empty. */
  text(name: string): string | null {
    const value = this.env[name];
    return value === undefined || value === "" ? null : value;
  }

  /** Text of at least `min` characters, or null when unset. */
  secret(name: string, min: number): string | null {
    const value = this.text(name);
    if (value !== null && value.length < min) {
      this.problems.push(`${name} must be at least ${min} characters long, got ${value.length}`);
      return null;
    }
    return value;
  }

  /** PUBLIC_URL as an origin (`https://host[:port]`), refusing anything that is not an http(s) URL. */
  origin(name: string): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.bad(name, "an absolute http:// or https:// URL", value);
      return null;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      this.bad(name, "an http:// or https:// URL", value);
      return null;
    }
    // The client is served from the root (its routes are /plan/…), so a path cannot be honoured.
    if (url.pathname !== "/" || url.search || url.hash) {
      this.bad(name, "the scheme and host only (like https://wilayah.example.com)", value);
      return null;
    }
    return url.origin;
  }
}

/**
 * The configuration from the environment, every variable checked; throws a
 * ConfigError listing every problem at once.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const read = new EnvReader(env);
  const config: ServerConfig = {
    port: read.int("PORT", 8080, 0, 65535),
    host: read.text("HOST")?.trim() || undefined,
    dataDir: path.resolve(read.text("DATA_DIR") ?? "./data"),
    staticDir: path.resolve(read.text("STATIC_DIR") ?? "./dist"),
    roomIdleMs: read.int("ROOM_IDLE_MS", 2_000),
    compactLogBytes: read.int("COMPACT_LOG_BYTES", 1024 * 1024),
    compactWaitMs: read.int("COMPACT_WAIT_MS", 2_000),
    compactMaxWaitMs: read.int("COMPACT_MAX_WAIT_MS", 5_000),
    maxBodyBytes: read.int("MAX_BODY_BYTES", 16 * 1024 * 1024, 1),
    seedDemo: read.bool("SEED_DEMO", true),
    scoring: read.bool("SCORING", true),
    // It may replace any plan's links (a lost edit link), so it is held to what a secret must be.
    adminToken: read.secret("ADMIN_TOKEN", 16),
    rateLimitPerSec: read.int("RATE_LIMIT_PER_SEC", 50),
    rateLimitBurst: read.int("RATE_LIMIT_BURST", 300),
    plansPerHour: read.int("PLANS_PER_HOUR", 60),
    maxConnectionsPerPlan: read.int("MAX_CONNECTIONS_PER_PLAN", 250),
    maxTerritories: read.int("MAX_TERRITORIES", 5000),
    balanceMaxRuns: read.int("BALANCE_MAX_RUNS", 1, 1),
    versionCheckpointMs: read.int("VERSION_CHECKPOINT_MS", 5 * 60_000),
    syncUpdatesPerSec: read.int("SYNC_UPDATES_PER_SEC", 50),
    syncUpdateBurst: read.int("SYNC_UPDATE_BURST", 200),
    syncMaxBufferedBytes: read.int("SYNC_MAX_BUFFERED_BYTES", 32 * 1024 * 1024, 1),
    maxConnectionsPerAddress: read.int("MAX_CONNECTIONS_PER_ADDRESS", 256),
    trustProxy: read.int("TRUST_PROXY", 0, 0, 100),
    headersTimeoutMs: read.int("HEADERS_TIMEOUT_MS", 10_000),
    requestTimeoutMs: read.int("REQUEST_TIMEOUT_MS", 120_000),
    keepAliveTimeoutMs: read.int("KEEP_ALIVE_TIMEOUT_MS", 5_000),
    publicUrl: read.origin("PUBLIC_URL"),
    demoCopiesPerHour: read.int("DEMO_COPIES_PER_HOUR", 20),
    demoCopyTtlDays: read.decimal("DEMO_COPY_TTL_DAYS", 3),
    personKey: read.secret("PERSON_KEY", 16),
    shutdownTimeoutMs: read.int("SHUTDOWN_TIMEOUT_MS", 10_000, 1),
    redisUrl: read.check(() => redisUrl(read.text("REDIS_URL") ?? undefined), null),
    redisPrefix: read.text("REDIS_PREFIX") ?? "wilayah:",
    leaseMs: read.int("LEASE_MS", 4_000, 500),
    instanceUrl: read.check(() => instanceUrl(read.text("INSTANCE_URL") ?? undefined), null),
    databaseUrl: read.check(() => databaseUrl(read.text("DATABASE_URL") ?? undefined), null),
    metricsToken: read.text("METRICS_TOKEN"),
  };
  if (config.headersTimeoutMs > 0 && config.requestTimeoutMs > 0 && config.headersTimeoutMs > config.requestTimeoutMs) {
    read.problems.push(
      `HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS, got ${config.headersTimeoutMs} > ${config.requestTimeoutMs}`,
    );
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
