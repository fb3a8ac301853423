import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { CloseCode, MAX_FRAME_BYTES } from "../../shared/protocol/messages.ts";
import { parseSyncPath } from "../../shared/protocol/rooms.ts";
import { actorOf, checkAccess } from "../access/access.ts";
import { clientAddress } from "../access/client-address.ts";
import type { PersonKey } from "../access/people.ts";
import { RateLimiter } from "../access/rate-limit.ts";
import { hashToken, tokenProblemMessage } from "../access/tokens.ts";
import { storageHttpError } from "../api/storage-errors.ts";
import type { ServerConfig } from "../config.ts";
import type { GuardedServer } from "../http-server.ts";
import { tooManyConnections } from "../http-server.ts";
import type { PlanStore } from "../persistence/store.ts";
import { Connection } from "../rooms/connection.ts";
import type { Room } from "../rooms/room.ts";
import type { Rooms } from "../rooms/rooms.ts";
import type { LinkScopes } from "../access/scopes.ts";
import { logger } from "../ops/log.ts";
import { assignRequestId, requestFields, requestIdOf } from "../ops/request-log.ts";

const syncLog = logger("sync");

/** How long a link that was closed for too many refused changes must wait before it may reconnect. */
export const PENALTY_MS = 30_000;

/**
 * A link whose sockets were closed for refused changes this many times in a
 * minute, from any addresses, is rationed: {@link LINK_JOINS_PER_SEC} joins a
 * second (bursts of {@link LINK_JOIN_BURST}) for everyone using it, until
 * {@link PENALTY_MS} after its last such close.
 */
export const LINK_ABUSE_CLOSES = 5;
export const LINK_JOINS_PER_SEC = 1;
export const LINK_JOIN_BURST = 5;
const LINK_ABUSE_WINDOW_MS = 60_000;

/**
 * The sync endpoint (`/sync/<planId>`): the WebSocket upgrade and the open
 * sockets of every plan. An upgrade is refused at the HTTP level, with the
 * status and a JSON sentence, cheapest checks first (path, connection cap,
 * rate, penalty, token), so a refused socket costs almost nothing.
 *
 * A link whose socket was closed for too many refused changes (4429) waits
 * {@link PENALTY_MS} before the same address may reconnect with it: without
 * that, a script reconnecting at once made every join cost the plan's whole
 * analysis again (issue 9's attack benchmark). An address is cheap to
 * change (a botnet, an IPv6 /64), so a link whose sockets keep being closed
 * for refusals from any addresses is also rationed as a whole: without that,
 * attackers from a new address per socket joined 579 times a second and
 * each join sent the plan's analysis (~800 KB on 2,000 territories). Those
 * who share the link still join, one a second; a manager can replace it.
 */
export class SyncEndpoint {
  /** Open sockets per plan: for the per-plan limit, and to cut off a rotated link. */
  private readonly sockets = new Map<string, Set<Connection>>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });
  /** address|tokenHash → when it may reconnect. */
  private readonly penalties = new Map<string, number>();
  /** planId|tokenHash → its sockets' recent closes for refusals, and until when its joins are rationed. */
  private readonly abusedLinks = new Map<string, { closes: number; since: number; until: number }>();
  private readonly rationed = new RateLimiter(LINK_JOINS_PER_SEC, LINK_JOIN_BURST);
  /** Set by closeAll: an upgrade on a keep-alive connection that outlived the listener is refused. */
  private closing = false;

  constructor(
    private readonly deps: {
      config: ServerConfig;
      store: PlanStore;
      rooms: Rooms;
      people: PersonKey;
      limiter: RateLimiter;
      guarded: GuardedServer;
      isDeleting: (planId: string) => boolean;
      /** Scoped links' live scopes (issue 15). */
      scopes: LinkScopes;
    },
  ) {
    // The accepted upgrade's answer carries its request id too.
    this.wss.on("headers", (headers, req) => {
      const id = requestIdOf(req);
      if (id) headers.push(`X-Request-Id: ${id}`);
    });
  }

  /** Whether a plan has open sockets. */
  hasSockets(planId: string): boolean {
    return this.sockets.has(planId);
  }

  /** Closes every socket of a plan opened with `tokenHash` (a replaced or stopped link); returns how many. */
  cutOff(planId: string, tokenHash: string): number {
    let n = 0;
    for (const conn of [...(this.sockets.get(planId) ?? [])]) {
      if (conn.tokenHash !== tokenHash) continue;
      conn.close(CloseCode.linkRevoked, "This link was replaced or stopped by a manager");
      n++;
    }
    return n;
  }

  /** Closes every socket of a plan: it is being deleted, or (issue 16) another instance serves it now. */
  closePlan(planId: string, code: number = CloseCode.planDeleted, reason = "This plan was deleted"): void {
    for (const conn of [...(this.sockets.get(planId) ?? [])]) conn.close(code, reason);
  }

  /**
   * Closes every socket with 1001 "going away" (the server is shutting
   * down), which clients take as "reconnect, maybe elsewhere", and refuses
   * upgrades from then on.
   */
  closeAll(): void {
    this.closing = true;
    for (const ws of this.wss.clients) ws.close(CloseCode.goingAway, "The server is restarting");
  }

  /**
   * The `upgrade` event handler. Each upgrade gets a request id (echoed in
   * `x-request-id`, refused or not); a refused one is logged once with its
   * status, an accepted one when its socket opens and when it closes.
   */
  readonly onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const reqId = assignRequestId(req);
    const started = performance.now();
    upgrades.set(socket, { reqId, status: 0 });
    this.upgrade(req, socket, head)
      .catch((e: Error) => {
        // A plan refused for damage, or a full or read-only disk: 503 with the sentence, as REST answers.
        const storage = storageHttpError(e);
        if (storage) return refuseUpgrade(socket, storage.status, storage.message, storage.details);
        syncLog.error({ ...requestFields(req), err: e }, "the upgrade failed");
        refuseUpgrade(socket, 500, "The server could not open this plan.");
      })
      .finally(() => {
        const status = upgrades.get(socket)?.status ?? 0;
        if (status === 0) return;
        const fields = { ...requestFields(req), status, ms: elapsed(started) };
        if (status >= 500) syncLog.error(fields, "upgrade refused");
        else syncLog.info(fields, "upgrade refused");
      });
  };

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { config, store, rooms, people, limiter, guarded, isDeleting } = this.deps;
    const url = new URL(req.url ?? "/", "http://localhost");
    if (this.closing) return refuseUpgrade(socket, 503, "The server is restarting; try again in a moment.");
    const address = parseSyncPath(url.pathname);
    if (!address) return refuseUpgrade(socket, 404, "Sync URLs look like /sync/<planId>.");
    if (!guarded.admit(req, socket)) {
      return refuseUpgrade(socket, 503, tooManyConnections(config.maxConnectionsPerAddress));
    }
    const from = clientAddress(req, config.trustProxy);
    const wait = limiter.take(from);
    if (wait > 0) return refuseUpgrade(socket, 429, `Too many connections from your address; try again in ${wait} s.`);
    const token = url.searchParams.get("token");
    const tokenHash = hashToken(token ?? "");
    const penaltyKey = `${from}|${tokenHash}`;
    const until = this.penalties.get(penaltyKey);
    if (until !== undefined) {
      if (until > Date.now()) {
        const s = Math.ceil((until - Date.now()) / 1000);
        return refuseUpgrade(
          socket,
          429,
          `This link sent too many changes the server refused; it may reconnect in ${s} s.`,
          { retryAfter: s },
        );
      }
      this.penalties.delete(penaltyKey);
    }
    const linkKey = `${address.planId}|${tokenHash}`;
    if ((this.abusedLinks.get(linkKey)?.until ?? 0) > Date.now()) {
      const s = this.rationed.take(linkKey);
      if (s > 0) {
        return refuseUpgrade(
          socket,
          429,
          `Connections with this link keep sending changes the server refuses, so it lets one in a second for now; try again in ${s} s.`,
          { retryAfter: s },
        );
      }
    }
    const access = isDeleting(address.planId)
      ? ({ ok: false, status: 404 } as const)
      : await checkAccess(store, address.planId, token);
    if (!access.ok) {
      if (access.status === 404) return refuseUpgrade(socket, 404, "There is no such plan.");
      if (access.status === 500) throw access.error as Error;
      return refuseUpgrade(socket, 401, tokenProblemMessage(access.reason ?? "invalid"), {
        reason: access.reason ?? "invalid",
      });
    }
    const open = this.sockets.get(address.planId);
    if (open && open.size >= config.maxConnectionsPerPlan) {
      return refuseUpgrade(socket, 503, `This plan already has ${config.maxConnectionsPerPlan} people connected.`);
    }
    let room: Room;
    try {
      room = await rooms.acquire(address);
    } catch (e) {
      const storage = storageHttpError(e);
      if (storage) return refuseUpgrade(socket, storage.status, storage.message, storage.details);
      syncLog.error({ planId: address.planId, err: e }, "loading the plan failed");
      return refuseUpgrade(socket, 500, "The server could not load this plan; its stored data is kept untouched.");
    }
    if (isDeleting(address.planId)) {
      rooms.release(room);
      return refuseUpgrade(socket, 404, "There is no such plan.");
    }
    if (room.isBroken) return refuseUpgrade(socket, 503, "This plan cannot be saved right now; try again shortly.");
    // A person id counts only with its secret; without, the socket is anonymous (presence, feed).
    const person = people.verify(url.searchParams.get("person"), url.searchParams.get("secret"));
    const actor = actorOf(access.role, person, url.searchParams.get("name"));
    room.holds++;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      room.holds--;
      const opened = performance.now();
      const socketLog = syncLog.child({
        reqId: requestIdOf(req),
        planId: address.planId,
        part: address.part || undefined,
      });
      let set = this.sockets.get(address.planId);
      if (!set) {
        set = new Set();
        this.sockets.set(address.planId, set);
      }
      const conn = new Connection(
        ws,
        room,
        {
          role: access.role,
          personId: actor.id,
          name: actor.name,
          tokenHash,
          scope: access.link ? this.deps.scopes.guard(room, access.link) : null,
        },
        (closed) => {
          const mine = this.sockets.get(address.planId);
          mine?.delete(closed);
          if (mine?.size === 0) this.sockets.delete(address.planId);
          socketLog.info(
            { role: access.role, code: closed.closeCode, ms: elapsed(opened), connId: closed.id },
            "socket closed",
          );
          if (closed.closedWith === CloseCode.tooManyRefusals) {
            this.penalize(penaltyKey);
            this.noteAbuse(linkKey);
          }
          rooms.release(room);
        },
        {
          updatesPerSecond: config.syncUpdatesPerSec,
          updateBurst: config.syncUpdateBurst,
          maxBufferedBytes: config.syncMaxBufferedBytes,
        },
      );
      set.add(conn);
      socketLog.info({ role: access.role, connId: conn.id }, "socket opened");
    });
  }

  private penalize(key: string): void {
    const now = Date.now();
    // Forget old penalties as new ones come, so the map stays as small as the abuse.
    if (this.penalties.size > 10_000) for (const [k, t] of this.penalties) if (t <= now) this.penalties.delete(k);
    this.penalties.set(key, now + PENALTY_MS);
  }

  /** One more socket of a link closed for refusals: past {@link LINK_ABUSE_CLOSES} in a minute, the link is rationed. */
  private noteAbuse(linkKey: string): void {
    const now = Date.now();
    if (this.abusedLinks.size > 10_000) {
      for (const [k, a] of this.abusedLinks) {
        if (a.until <= now && now - a.since > LINK_ABUSE_WINDOW_MS) this.abusedLinks.delete(k);
      }
    }
    let a = this.abusedLinks.get(linkKey);
    if (!a) {
      a = { closes: 0, since: now, until: 0 };
      this.abusedLinks.set(linkKey, a);
    }
    if (now - a.since > LINK_ABUSE_WINDOW_MS) {
      a.closes = 0;
      a.since = now;
    }
    a.closes++;
    if (a.closes >= LINK_ABUSE_CLOSES) a.until = now + PENALTY_MS;
  }
}

/** Upgrades in progress: their request id, and the status they were refused with (0: not refused). */
const upgrades = new WeakMap<Duplex, { reqId: string; status: number }>();

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

export function refuseUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  details?: Record<string, unknown>,
): void {
  const upgrade = upgrades.get(socket);
  if (upgrade) upgrade.status = status;
  const body = JSON.stringify({ error: message, ...details });
  const id = upgrade ? `X-Request-Id: ${upgrade.reqId}\r\n` : "";
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${id}Connection: close\r\n\r\n${body}`,
  );
}
