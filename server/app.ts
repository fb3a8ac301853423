import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { MAX_ACCOUNTS } from "../shared/accounts/import.ts";
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
import type { Room } from "./rooms/room.ts";
import { Rooms } from "./rooms/rooms.ts";
import { Jobs } from "./jobs/jobs.ts";
import { Units } from "./units/units.ts";
import { Scoring } from "./scoring/scoring.ts";
import { serveStatic } from "./static.ts";
import { Activity } from "./activity/activity.ts";
import { actorOf, checkAccess } from "./access/access.ts";
import { clientAddress } from "./access/client-address.ts";
import { PersonKey } from "./access/people.ts";
import { RateLimiter } from "./access/rate-limit.ts";
import { hashToken, tokenProblemMessage } from "./access/tokens.ts";
import { DemoCopies } from "./demo/copies.ts";
import { demoTemplate, retirePublicDemo } from "./demo/seed.ts";
import { createGuardedServer, tooManyConnections } from "./http-server.ts";

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
  const people = await PersonKey.load(config.dataDir, config.personKey);
  const activity = new Activity(store, config.scoring ? scoring : null);
  const jobs = new Jobs();
  const units = new Units(store);
  /** Open sockets per plan: for the per-plan limit, and to cut off a rotated link. */
  const sockets = new Map<string, Set<Connection>>();
  /** Plans being deleted: every call and upgrade for them answers 404 meanwhile. */
  const deleting = new Set<string>();
  const inUse = (planId: string): boolean => sockets.has(planId) || rooms.isLoaded({ planId, part: "" });

  /**
   * Deletes a plan: closes its sockets (4404), unloads its rooms once the
   * REST calls holding them are done, then removes its stored data.
   */
  async function deletePlan(planId: string, ifIdle = false): Promise<boolean> {
    if (deleting.has(planId) || (ifIdle && inUse(planId))) return false;
    deleting.add(planId);
    try {
      for (const conn of [...(sockets.get(planId) ?? [])]) conn.close(CloseCode.planDeleted, "This plan was deleted");
      await rooms.unloadPlan(planId);
      await activity.saved(planId);
      const deleted = await store.deletePlan(planId);
      demo.forget(planId);
      return deleted;
    } finally {
      deleting.delete(planId);
    }
  }

  const demo = new DemoCopies(
    store,
    { dataDir: config.dataDir, ttlDays: config.demoCopyTtlDays },
    { inUse, deleteIfIdle: (planId) => deletePlan(planId, true) },
  );
  const rooms = new Rooms(
    store,
    {
      maxTerritories: config.maxTerritories,
      // A pin names an account, so there are never more pins than accounts.
      maxPins: MAX_ACCOUNTS,
      idleMs: config.roomIdleMs,
      compactLogBytes: config.compactLogBytes,
      compactWaitMs: config.compactWaitMs,
      compactMaxWaitMs: config.compactMaxWaitMs,
    },
    // In this order (server/rooms/extension.ts): scoring before the feed, which
    // reads its analyses to show what a reshape changed; the accounts' reconcile
    // last, once everything has been read: the only step that may write.
    [
      {
        // Loading and unloading are what "used" means for an idle demo copy.
        name: "demo-copies",
        onLoad: (room: Room): void => demo.touch(room.address.planId),
        onClose: (room: Room): void => demo.touch(room.address.planId),
      },
      // The unit layer before the scoring, which scores the plan it finds.
      units,
      ...(config.scoring ? [scoring] : []),
      activity,
      {
        name: "accounts",
        onLoad: async (room: Room): Promise<void> => {
          if (room.address.part === "") await reconcileAccountsVersion(store, room);
        },
      },
    ],
  );
  const limiter = new RateLimiter(config.rateLimitPerSec, config.rateLimitBurst);
  await retirePublicDemo(store);
  await demo.start();
  // The first copy should not wait for the template to be generated.
  if (config.seedDemo) demoTemplate().catch((e: Error) => console.error(`[demo] ${e.message}`));

  const router = apiRouter({
    store,
    rooms,
    config,
    scoring,
    activity,
    units,
    jobs,
    people,
    demo: config.seedDemo ? demo : null,
    deletePlan: (planId) => deletePlan(planId),
    isDeleting: (planId) => deleting.has(planId),
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

  const guarded = createGuardedServer(config, (req, res) => {
    if (!guarded.admit(req, res)) {
      res.shouldKeepAlive = false;
      sendError(res, 503, tooManyConnections(config.maxConnectionsPerAddress));
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) {
      const wait = limiter.take(clientAddress(req, config.trustProxy));
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

  const server = guarded.server;
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
    if (!guarded.admit(req, socket)) {
      return refuseUpgrade(socket, 503, tooManyConnections(config.maxConnectionsPerAddress));
    }
    const wait = limiter.take(clientAddress(req, config.trustProxy));
    if (wait > 0) return refuseUpgrade(socket, 429, `Too many connections from your address; try again in ${wait} s.`);
    const token = url.searchParams.get("token");
    const access = deleting.has(address.planId)
      ? ({ ok: false, status: 404 } as const)
      : await checkAccess(store, address.planId, token);
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
    if (deleting.has(address.planId)) {
      rooms.release(room);
      return refuseUpgrade(socket, 404, "There is no such plan.");
    }
    if (room.isBroken) return refuseUpgrade(socket, 503, "This plan cannot be saved right now; try again shortly.");
    // A person id counts only with its secret; without, the socket is anonymous (presence, feed).
    const person = people.verify(url.searchParams.get("person"), url.searchParams.get("secret"));
    const actor = actorOf(access.role, person, url.searchParams.get("name"));
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
        {
          updatesPerSecond: config.syncUpdatesPerSec,
          updateBurst: config.syncUpdateBurst,
          maxBufferedBytes: config.syncMaxBufferedBytes,
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
      await demo.close();
      for (const ws of wss.clients) ws.close(CloseCode.goingAway, "The server is restarting");
      await rooms.closeAll();
      await scoring.close();
      await jobs.close();
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
