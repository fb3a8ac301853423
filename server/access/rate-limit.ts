/**
 * Token buckets per client address: `ratePerSec` requests a second on
 * average, bursts up to `burst`. Keeps one abuser from starving everyone;
 * a normal session (a map that loads, comments, a few imports) never meets it.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweeps = 0;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string, cost = 1): number {
    if (this.ratePerSec <= 0) return 0; // 0 turns the limit off
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSec);
    bucket.at = now;
    if (++this.sweeps % 1000 === 0) this.sweep(now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.ceil((cost - bucket.tokens) / this.ratePerSec);
  }

  /** Forgets buckets that have refilled: the map stays as small as the set of active clients. */
  private sweep(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.ratePerSec >= this.burst) this.buckets.delete(key);
    }
  }
}
