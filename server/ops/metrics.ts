import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * What `GET /metrics` answers (issue 16), in Prometheus' text format: the
 * server's own metrics, typed so the code that moves them imports them from
 * here, plus prom-client's default process metrics. One registry of our own,
 * never prom-client's global one, so nothing a dependency registers leaks in.
 * Every series carries `instance` (set once the port is known), so several
 * instances behind one Prometheus can be told apart.
 */
export const registry = new Registry();

/** Durations of a durable commit: tenths of a millisecond (an fdatasync on a fast disk) to seconds (a stalled one). */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Durations of one analysis in the scoring worker: ~1 ms (a small edit) to seconds (a first load of 50,000 accounts). */
const SCORING_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const openSockets = new Gauge({
  name: "wilayah_open_sockets",
  help: "Sync sockets open on this instance.",
  registers: [registry],
});

let countLoaded: () => number = () => 0;

export const loadedPlans = new Gauge({
  name: "wilayah_loaded_plans",
  help: "Plan documents (rooms) loaded in memory on this instance.",
  registers: [registry],
  collect() {
    this.set(countLoaded());
  },
});

/** Tells {@link loadedPlans} where to read the count of loaded rooms when it is scraped. */
export function countLoadedPlansWith(count: () => number): void {
  countLoaded = count;
}

export const updatesAccepted = new Counter({
  name: "wilayah_updates_accepted_total",
  help: "Document updates from sync sockets accepted (checked, then committed and relayed).",
  registers: [registry],
});

export const updatesRefused = new Counter({
  name: "wilayah_updates_refused_total",
  help: "Messages from sync sockets refused, by the refusal's code (forbidden, invalid-update, out-of-scope, rate-limited, malformed).",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const commitSeconds = new Histogram({
  name: "wilayah_commit_seconds",
  help: "Time to make one document update durable (the store's append: written and synced) before it is relayed or acknowledged.",
  buckets: COMMIT_BUCKETS,
  registers: [registry],
});

export const scoringSeconds = new Histogram({
  name: "wilayah_scoring_seconds",
  help: "Time the scoring worker spent on one analysis of a plan (a load or a batch of changes).",
  buckets: SCORING_BUCKETS,
  registers: [registry],
});

/** Incremented by the multi-instance layer when a plan's owner changes (a lease taken over). */
export const ownerMoves = new Counter({
  name: "wilayah_owner_moves_total",
  help: "Plans whose owner moved to or from this instance (a lease taken over).",
  registers: [registry],
});

const loopDelay = monitorEventLoopDelay({ resolution: 10 });

export const eventLoopLag = new Gauge({
  name: "wilayah_event_loop_lag_seconds",
  help: "Event-loop delay since the previous scrape: its median, 99th percentile and maximum (quantile 1).",
  labelNames: ["quantile"] as const,
  registers: [registry],
  collect() {
    // Nanoseconds; NaN before any sample.
    const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    this.set({ quantile: "0.5" }, s(loopDelay.percentile(50)));
    this.set({ quantile: "0.99" }, s(loopDelay.percentile(99)));
    this.set({ quantile: "1" }, s(loopDelay.max));
    loopDelay.reset();
  },
});

let started = false;

/**
 * Starts what measures in the background (the event-loop delay, the default
 * process metrics) and labels every series with this instance:
 * `INSTANCE_ID`, else `<hostname>:<port>`. Once per process; a second
 * server in the same process (tests) only relabels.
 */
export function startMetrics(port: number, instanceId = process.env.INSTANCE_ID): void {
  registry.setDefaultLabels({ instance: instanceId || `${os.hostname()}:${port}` });
  if (started) return;
  started = true;
  loopDelay.enable();
  collectDefaultMetrics({ register: registry });
}

/** Times a durable step into {@link commitSeconds} (only those that succeed: a failure breaks the room). */
export function timedCommit(commit: Promise<void>): Promise<void> {
  const end = commitSeconds.startTimer();
  return commit.then(() => {
    end();
  });
}

/**
 * `GET /metrics`: the text format, or 401 when `token` is set and the
 * request's `Authorization: Bearer …` is not it (compared in constant time).
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, token: string | null): Promise<void> {
  if (token !== null && !bearerMatches(req.headers.authorization, token)) {
    const body = JSON.stringify({ error: "GET /metrics needs the server's METRICS_TOKEN as a Bearer token." });
    res.writeHead(401, {
      "content-type": "application/json; charset=utf-8",
      "www-authenticate": 'Bearer realm="metrics"',
      "cache-control": "no-store",
    });
    res.end(body);
    return;
  }
  const text = await registry.metrics();
  res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
  res.end(text);
}

/** Whether an Authorization header is `Bearer <expected>`, without leaking by timing how much of it matched. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  // Hashing first makes both sides the same length, so the comparison's time says nothing about the token.
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(m?.[1] ?? ""), digest(expected)) && m !== null;
}
