import type { ServerResponse } from "node:http";
import { logger } from "./log.ts";

const readyLog = logger("ready");

/**
 * One thing `GET /api/ready` checks: resolves when it is fine, rejects with
 * why it is not. The multi-instance layer adds its own (Redis reachable) to
 * the server's `readyChecks`.
 */
export interface ReadyCheck {
  name: string;
  check(): Promise<void>;
}

export type CheckResult = { ok: true; ms: number } | { ok: false; ms: number; error: string };

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
  /** Plans the store refuses for damage (server/README.md, Durability): listed, but they do not make the instance unready. */
  damagedPlans: string[];
}

/** A check that has not answered within this is failed: a load balancer should not wait on a hung disk. */
export const CHECK_TIMEOUT_MS = 5_000;

/**
 * Runs every check at once, each within `timeoutMs`. Ready when all pass.
 * Damaged plans are listed and leave readiness alone: another instance on
 * the same storage would refuse them just the same.
 */
export async function readiness(
  checks: readonly ReadyCheck[],
  damagedPlans: () => string[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<Readiness> {
  const results = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  const out: Record<string, CheckResult> = {};
  checks.forEach((c, i) => {
    out[c.name] = results[i] as CheckResult;
  });
  return { ready: results.every((r) => r.ok), checks: out, damagedPlans: damagedPlans() };
}

async function runCheck(c: ReadyCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
      }),
    ]);
    return { ok: true, ms: ms() };
  } catch (e) {
    return { ok: false, ms: ms(), error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /api/ready`: 200 when every check passes, else 503 naming the ones that failed. */
export async function serveReady(
  res: ServerResponse,
  checks: readonly ReadyCheck[],
  damagedPlans: () => string[],
): Promise<void> {
  const result = await readiness(checks, damagedPlans);
  if (!result.ready) {
    const failed = Object.entries(result.checks).filter(([, r]) => !r.ok);
    readyLog.warn({ failed: Object.fromEntries(failed) }, `not ready: ${failed.map(([name]) => name).join(", ")}`);
  }
  const body = JSON.stringify(result);
  res.writeHead(result.ready ? 200 : 503, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}
