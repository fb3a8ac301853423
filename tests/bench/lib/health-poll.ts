import http from "node:http";

/** One latency, or a lower bound on it when the answer had not come by the deadline. */
export interface Sample {
  ms: number;
  /** No answer by the deadline: the true latency is more than `ms`. */
  censored: boolean;
}

/**
 * `GET /api/health` on a fixed schedule (every `everyMs`), whether or not
 * the previous answers came: each latency runs from the moment the request
 * was due, so a server that stops answering shows as every due request
 * waiting, not as one slow sample (no coordinated omission). At most a few
 * connections are kept open; requests beyond them wait in the agent, and
 * that wait counts.
 */
export class HealthPoller {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly done: Sample[] = [];
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  errors = 0;

  constructor(
    private readonly url: string,
    private readonly everyMs = 20,
  ) {}

  start(): void {
    this.next = performance.now();
    this.tick();
  }

  private tick = (): void => {
    const now = performance.now();
    // Every request that fell due since the last tick, each with its own due time.
    while (this.next <= now) {
      this.fire(this.next);
      this.next += this.everyMs;
    }
    this.timer = setTimeout(this.tick, Math.max(0, this.next - performance.now()));
  };

  private fire(due: number): void {
    this.pending.add(due);
    const req = http.get(`${this.url}/api/health`, { agent: this.agent }, (res) => {
      res.resume();
      res.on("end", () => {
        if (!this.pending.delete(due)) return;
        if (res.statusCode !== 200) this.errors++;
        this.done.push({ ms: performance.now() - due, censored: false });
      });
    });
    req.on("error", () => {
      if (this.pending.delete(due)) this.errors++;
    });
  }

  /** Stops sending new requests. */
  stopIssuing(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /**
   * Every sample: answered ones, and those still waiting counted as at least
   * their age now. Ends the poller (its connections are dropped).
   */
  finish(): Sample[] {
    this.stopIssuing();
    const now = performance.now();
    const out = [...this.done];
    for (const due of this.pending) out.push({ ms: now - due, censored: true });
    this.pending.clear();
    this.agent.destroy();
    return out;
  }
}

/** A percentile of samples some of which are lower bounds: `atLeast` when a bound may hide a higher value. */
export function censoredPercentile(samples: readonly Sample[], p: number): { ms: number; atLeast: boolean } {
  if (samples.length === 0) return { ms: Number.NaN, atLeast: false };
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(rank)] as Sample;
  const hi = sorted[Math.ceil(rank)] as Sample;
  const ms = lo.ms + (hi.ms - lo.ms) * (rank - Math.floor(rank));
  // A bound at or below the value could really lie above it and move the percentile up.
  const atLeast = sorted.some((s) => s.censored && s.ms <= ms + 1e-9) || hi.censored;
  return { ms, atLeast };
}
