import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { CloseCode, MAX_FRAME_BYTES } from "../shared/protocol/messages.ts";
import { parseSyncPath } from "../shared/protocol/rooms.ts";
import { reconcileAccountsVersion } from "./api/accounts.ts";
import { apiRouter } from "./api/routes.ts";
import { sendError } from "./api/http.ts";
import { storageHttpError } from "./api/storage-errors.ts";
import type { ServerConfig } from "./config.ts";
import { LowdbStore } from "./persistence/lowdb-store.ts";
import type { PlanStore } from "./persistence/store.ts";
import { Connection } from "./rooms/connection.ts";
import { Rooms } from "./rooms/rooms.ts";
import { Scoring } from "./scoring/scoring.ts";
import { serveStatic } from "./static.ts";
import { Activity } from "./activity/activity.ts";
import { actorOf, checkAccess } from "./access/access.ts";
import { RateLimiter } from "./access/rate-limit.ts";
import { hashToken, tokenProblemMessage } from "./access/tokens.ts";

export interface WilayahServer {
  readonly http: http.Server;
  readonly store: PlanStore;
  readonly rooms: Rooms;
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  /** Stops accepting, closes every socket, compacts and closes every room. */
  close(): Promise<void>;
}

/** Builds and starts the whole server: REST, sync and static files on one port. */
export async function startServer(
  config: ServerConfig,
  store: PlanStore = new LowdbStore(config.dataDir),
): Promise<WilayahServer> {
  const scoring = new Scoring(store);
  if (config.scoring) scoring.warm();
  const activity = new Activity(store, config.scoring ? scoring : null);
  const rooms = new Rooms(
    store,
    {
      maxTerritories: config.maxTerritories,
      idleMs: config.roomIdleMs,
      compactLogBytes: config.compactLogBytes,
      compactWaitMs: config.compactWaitMs,
      compactMaxWaitMs: config.compactMaxWaitMs,
    },
    async (room) => {
      if (room.address.part !== "") return;
      // Scoring first: the feed reads its analyses to show what a reshape changed.
      if (config.scoring) await scoring.attach(room);
      await activity.attach(room);
      // Last, once everything has been read: the only step that may write.
      await reconcileAccountsVersion(store, room);
    },
  );
  const limiter = new RateLimiter(config.rateLimitPerSec, config.rateLimitBurst);
  /** Open sockets per plan: for the per-plan limit, and to cut off a rotated link. */
  const sockets = new Map<string, Set<Connection>>();
  const router = apiRouter({
    store,
    rooms,
    config,
    scoring,
    activity,
    cutOff(planId, tokenHash) {
      let n = 0;
      for (const conn of sockets.get(planId) ?? []) {
        if (conn.tokenHash !== tokenHash) continue;
        conn.close(CloseCode.linkRevoked, "This link was replaced by a manager");
        n++;
      }
      return n;
    },
  });
  // permessage-deflate off: Yjs updates are small and binary, and deflate
  // costs latency and memory per socket (ws's own advice).
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) {
      const wait = limiter.take(clientAddress(req));
      if (wait > 0) {
        res.setHeader("retry-after", String(wait));
        sendError(res, 429, `Too many requests from your address; try again in ${wait} s.`);
        return;
      }
    }
    const handled = url.pathname.startsWith("/api/")
      ? router.handle(req, res, url).then((matched) => {
          if (!matched) sendError(res, 404, `There is no API endpoint ${req.method} ${url.pathname}.`);
        })
      : serveStatic(config.staticDir, req, res, url);
    handled.catch((e: Error) => {
      console.error(`[http] ${req.method} ${url.pathname}: ${e.message}`);
      if (!res.headersSent) sendError(res, 500, "Something went wrong on the server; please try again.");
    });
  });

  server.on("upgrade", (req, socket, head) => {
    handleUpgrade(req, socket, head).catch((e: Error) => {
      // A plan refused for damage, or a full or read-only disk: 503 with the sentence, as REST answers.
      const storage = storageHttpError(e);
      if (storage) return refuseUpgrade(socket, storage.status, storage.message, storage.details);
      console.error(`[sync] upgrade failed: ${e.message}`);
      refuseUpgrade(socket, 500, "The server could not open this plan.");
    });
  });

  async function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const address = parseSyncPath(url.pathname);
    if (!address) return refuseUpgrade(socket, 404, "Sync URLs look like /sync/<planId>.");
    const wait = limiter.take(clientAddress(req));
    if (wait > 0) return refuseUpgrade(socket, 429, `Too many connections from your address; try again in ${wait} s.`);
    const token = url.searchParams.get("token");
    const access = await checkAccess(store, address.planId, token);
    if (!access.ok) {
      if (access.status === 404) return refuseUpgrade(socket, 404, "There is no such plan.");
      if (access.status === 500) throw access.error as Error;
      return refuseUpgrade(socket, 401, tokenProblemMessage(access.reason ?? "invalid"), {
        reason: access.reason ?? "invalid",
      });
    }
    const open = sockets.get(address.planId);
    if (open && open.size >= config.maxConnectionsPerPlan) {
      return refuseUpgrade(socket, 503, `This plan already has ${config.maxConnectionsPerPlan} people connected.`);
    }
    let room: Awaited<ReturnType<Rooms["acquire"]>>;
    try {
      room = await rooms.acquire(address);
    } catch (e) {
      const storage = storageHttpError(e);
      if (storage) return refuseUpgrade(socket, storage.status, storage.message, storage.details);
      console.error(`[sync] loading ${address.planId} failed: ${(e as Error).message}`);
      return refuseUpgrade(socket, 500, "The server could not load this plan; its stored data is kept untouched.");
    }
    if (room.isBroken) return refuseUpgrade(socket, 503, "This plan cannot be saved right now; try again shortly.");
    const actor = actorOf(access.role, url.searchParams.get("person"), url.searchParams.get("name"));
    room.holds++;
    wss.handleUpgrade(req, socket, head, (ws) => {
      room.holds--;
      let set = sockets.get(address.planId);
      if (!set) {
        set = new Set();
        sockets.set(address.planId, set);
      }
      const conn = new Connection(
        ws,
        room,
        { role: access.role, personId: actor.id, name: actor.name, tokenHash: hashToken(token ?? "") },
        (closed) => {
          const open = sockets.get(address.planId);
          open?.delete(closed);
          if (open?.size === 0) sockets.delete(address.planId);
          rooms.release(room);
        },
      );
      set.add(conn);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;

  return {
    http: server,
    store,
    rooms,
    port,
    async close() {
      server.close();
      for (const ws of wss.clients) ws.close(CloseCode.goingAway, "The server is restarting");
      await rooms.closeAll();
      await scoring.close();
      await store.close();
      server.closeAllConnections();
    },
  };
}

function refuseUpgrade(socket: Duplex, status: number, message: string, details?: Record<string, unknown>): void {
  const body = JSON.stringify({ error: message, ...details });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The address a request came from, for rate limits. */
function clientAddress(req: http.IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}
