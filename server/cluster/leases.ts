import { Redis } from "ioredis";

/**
 * Who owns which plan, kept in Redis (issue 16). A plan's owner is the one
 * instance that loads, validates, scores and writes it; the lease is a key
 * `<prefix>owner:<planId>` whose value names the owner (`<instanceId> <url>`)
 * and which expires unless the owner renews it.
 *
 * A lease alone never makes writing safe: Redis may restart empty, and an
 * owner may be paused past its lease (GC, a stopped VM) and wake up thinking
 * it still owns the plan. Safety comes from the fencing number in PostgreSQL
 * (server/persistence/pg/: every write carries the owner's number and is
 * refused once a successor took a higher one). The lease only decides who
 * should try: whoever sets the key takes the next fencing number.
 */
export interface LeaseOptions {
  redisUrl: string;
  /** Key prefix, so several deployments (or tests) can share one Redis. */
  prefix: string;
  /** A lease not renewed for this long is free for another instance. */
  leaseMs: number;
}

/** Renews our lease (or takes it again if Redis lost the key); 0 when another instance holds it now. */
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;

/** Deletes the key only while it is still ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Replaces a given holder (one found dead) by us, only if it still holds the key. */
const REPLACE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;

export class Leases {
  readonly redis: Redis;

  constructor(private readonly opts: LeaseOptions) {
    this.redis = new Redis(opts.redisUrl, {
      // Fail fast while Redis is away (a command waits at most a second):
      // a caller answers 503 or keeps what it owns, never hangs.
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 100, 1_000),
    });
    // Connection errors are reported by the commands that fail; ioredis reconnects by itself.
    this.redis.on("error", () => {});
  }

  private key(planId: string): string {
    return `${this.opts.prefix}owner:${planId}`;
  }

  /** The current holder's value, or null when the plan has no owner. */
  holder(planId: string): Promise<string | null> {
    return this.redis.get(this.key(planId));
  }

  /** Takes the lease when nobody holds it; true when we have it now. */
  async tryTake(planId: string, me: string): Promise<boolean> {
    return (await this.redis.set(this.key(planId), me, "PX", this.opts.leaseMs, "NX")) === "OK";
  }

  /** Takes the lease from a holder found dead (its port refuses connections), only if that one still holds it. */
  async replace(planId: string, dead: string, me: string): Promise<boolean> {
    return (await this.redis.eval(REPLACE, 1, this.key(planId), dead, me, this.opts.leaseMs)) === 1;
  }

  /** Renews many leases in one round trip; answers, per plan, whether it is still ours. */
  async renew(planIds: readonly string[], me: string): Promise<boolean[]> {
    if (planIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of planIds) pipeline.eval(RENEW, 1, this.key(id), me, this.opts.leaseMs);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return value !== 0;
    });
  }

  /** Gives a lease back (only if still ours), so another instance may take the plan at once. */
  async release(planId: string, me: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(planId), me);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
