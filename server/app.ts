import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { CloseCode, MAX_FRAME_BYTES } from "../shared/protocol/messages.ts";
import { parseSyncPath } from "../shared/protocol/rooms.ts";
import { apiRouter } from "./api/routes.ts";
import { sendError } from "./api/http.ts";
import type { ServerConfig } from "./config.ts";
import { LowdbStore } from "./persistence/lowdb-store.ts";
import type { PlanStore } from "./persistence/store.ts";
import { Connection } from "./rooms/connection.ts";
import { Rooms } from "./rooms/rooms.ts";
import { Scoring } from "./scoring/scoring.ts";
import { serveStatic } from "./static.ts";

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
  const rooms = new Rooms(
    store,
    {
      idleMs: config.roomIdleMs,
      compactLogBytes: config.compactLogBytes,
      compactWaitMs: config.compactWaitMs,
      compactMaxWaitMs: config.compactMaxWaitMs,
    },
    (room) => (config.scoring && room.address.part === "" ? scoring.attach(room) : Promise.resolve()),
  );
  const router = apiRouter({ store, rooms, config, scoring });
  // permessage-deflate off: Yjs updates are small and binary, and deflate
  // costs latency and memory per socket (ws's own advice).
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
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
      console.error(`[sync] upgrade failed: ${e.message}`);
      refuseUpgrade(socket, 500, "The server could not open this plan.");
    });
  });

  async function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const address = parseSyncPath(url.pathname);
    if (!address) return refuseUpgrade(socket, 404, "Sync URLs look like /sync/<planId>.");
    if (!(await store.getPlan(address.planId))) return refuseUpgrade(socket, 404, "There is no such plan.");
    let room: Awaited<ReturnType<Rooms["acquire"]>>;
    try {
      room = await rooms.acquire(address);
    } catch (e) {
      console.error(`[sync] loading ${address.planId} failed: ${(e as Error).message}`);
      return refuseUpgrade(socket, 500, "The server could not load this plan; its stored data is kept untouched.");
    }
    if (room.isBroken) return refuseUpgrade(socket, 503, "This plan cannot be saved right now; try again shortly.");
    room.holds++;
    wss.handleUpgrade(req, socket, head, (ws) => {
      room.holds--;
      new Connection(ws, room, () => rooms.release(room));
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

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
