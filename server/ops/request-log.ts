import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { logger, loggablePath, planIdOfPath } from "./log.ts";

const httpLog = logger("http");

/** A client's own `x-request-id` is kept when it looks like an id (a proxy's, say), not arbitrary text. */
const SANE_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

/**
 * What load balancers, orchestrators and Prometheus ask every few seconds: a
 * line for each answered probe would drown the log, so they are written at
 * `debug` unless the answer is an error.
 */
const PROBES = new Set(["/api/health", "/api/ready", "/metrics"]);

const ids = new WeakMap<IncomingMessage, string>();

/**
 * Gives a request (or a socket upgrade) its id: the client's `x-request-id`
 * when it looks sane, else a fresh UUID. Every log line about the request
 * carries it as `reqId`, and the answer echoes it in `x-request-id`.
 */
export function assignRequestId(req: IncomingMessage): string {
  const sent = req.headers["x-request-id"];
  const id = typeof sent === "string" && SANE_ID.test(sent) ? sent : randomUUID();
  ids.set(req, id);
  return id;
}

/** The id given to a request by {@link assignRequestId}. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return ids.get(req);
}

/** What every log line about a request says of it: its id, method, path (no query) and the plan it names. */
export function requestFields(req: IncomingMessage): {
  reqId: string | undefined;
  method: string | undefined;
  path: string;
  planId: string | undefined;
} {
  const path = loggablePath(req.url);
  return { reqId: ids.get(req), method: req.method, path, planId: planIdOfPath(path) ?? undefined };
}

/**
 * Gives the request its id, echoes it in the answer's `x-request-id`, and
 * writes one line when the answer is done (or the client went away first):
 * method, path (never the query: it may hold a token), status, duration and
 * the plan the path names. Answered probes are written at `debug`.
 */
export function logRequest(req: IncomingMessage, res: ServerResponse): string {
  const reqId = assignRequestId(req);
  res.setHeader("x-request-id", reqId);
  const started = process.hrtime.bigint();
  let done = false;
  const finish = (aborted: boolean) => {
    if (done) return;
    done = true;
    const status = res.statusCode;
    const fields = {
      ...requestFields(req),
      status,
      ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      aborted: aborted || undefined,
    };
    if (status >= 500) httpLog.error(fields, "request");
    else if (status < 400 && req.method === "GET" && PROBES.has(fields.path)) httpLog.debug(fields, "request");
    else httpLog.info(fields, "request");
  };
  res.once("finish", () => finish(false));
  res.once("close", () => finish(!res.writableFinished));
  return reqId;
}
