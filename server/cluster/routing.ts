import type http from "node:http";
import type { Duplex } from "node:stream";
import { ID_PATTERN } from "../../shared/ids.ts";
import { parseSyncPath } from "../../shared/protocol/rooms.ts";
import { fromInstance } from "../access/client-address.ts";
import { sendError } from "../api/http.ts";
import { refuseUpgrade } from "../sync/endpoint.ts";
import type { Cluster, Route } from "./cluster.ts";
import { forwardRequest, forwardUpgrade, OwnerUnreachableError } from "./forward.ts";

/**
 * Where each call goes when several instances serve the plans (issue 16):
 * a REST call naming a plan and a plan's sync socket are served by the
 * plan's owner — here, or forwarded to it. Everything else (the client's
 * files, health, creating a plan or a demo copy) is served by whichever
 * instance the call reached.
 */

/** The plan a REST path names (`/api/plans/:id/…`), or null for calls any instance serves. */
export function planOfApiPath(pathname: string): string | null {
  const m = /^\/api\/plans\/([^/]+)/.exec(pathname);
  if (!m) return null;
  const id = m[1] as string;
  return ID_PATTERN.test(id) ? id : null;
}

export interface Hop {
  /** Proves to the owner that the call comes from one of ours. */
  secret: string;
  /** The client's address as this instance worked it out (TRUST_PROXY). */
  client: string;
}

const RETRY_S = 1;
const LOCAL: Route = { kind: "local" };
/** Two owners in a row could not be reached. */
const gone: Route = { kind: "busy", message: "The server holding this plan has just stopped; try again in a moment." };

/** Serves a REST call for a plan here or at its owner. */
export async function routeRequest(
  cluster: Cluster,
  planId: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  hop: Hop,
  local: () => Promise<void>,
): Promise<void> {
  const forwarded = fromInstance(req);
  let route: Route = await cluster.route(planId, forwarded);
  for (let attempt = 0; route.kind === "forward"; attempt++) {
    if (attempt === 2) route = gone;
    else {
      try {
        await forwardRequest(req, res, route.url, hop);
        return;
      } catch (e) {
        if (!(e instanceof OwnerUnreachableError)) throw e;
        // The owner is gone and nothing of the call was read yet: take the plan over and
        // serve it here, or send it where another instance has taken it meanwhile.
        route = (await cluster.takeOver(planId, route.holder)) ? LOCAL : await cluster.route(planId, forwarded);
      }
    }
  }
  if (route.kind === "busy") {
    res.setHeader("retry-after", String(RETRY_S));
    sendError(res, 503, route.message, { retryAfter: RETRY_S });
    return;
  }
  const done = cluster.hold(planId);
  res.once("close", done);
  try {
    await local();
  } finally {
    if (res.writableFinished) done();
  }
}

/** Serves a sync socket here or pipes it to the plan's owner. */
export async function routeUpgrade(
  cluster: Cluster,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  hop: Hop,
  local: () => void,
): Promise<void> {
  const address = parseSyncPath(new URL(req.url ?? "/", "http://localhost").pathname);
  // A path that names no plan is refused by the endpoint itself, with its own words.
  if (!address) return local();
  const forwarded = fromInstance(req);
  let route: Route = await cluster.route(address.planId, forwarded);
  for (let attempt = 0; route.kind === "forward"; attempt++) {
    if (attempt === 2) route = gone;
    else {
      try {
        await forwardUpgrade(req, socket, head, route.url, hop);
        return;
      } catch (e) {
        if (!(e instanceof OwnerUnreachableError)) throw e;
        // Nothing was sent yet: if the dead owner's plan is ours now, serve the socket here.
        route = (await cluster.takeOver(address.planId, route.holder))
          ? LOCAL
          : await cluster.route(address.planId, forwarded);
      }
    }
  }
  if (route.kind === "busy") return refuseUpgrade(socket, 503, route.message, { retryAfter: RETRY_S });
  const done = cluster.hold(address.planId);
  socket.once("close", done);
  local();
}
