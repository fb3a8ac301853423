import http from "node:http";
import type net from "node:net";
import { ConnectionCounter, clientAddress, socketAddress } from "./access/client-address.ts";
import type { ServerConfig } from "./config.ts";

type Limits = Pick<
  ServerConfig,
  | "maxConnectionsPerAddress"
  | "trustProxy"
  | "headersTimeoutMs"
  | "requestTimeoutMs"
  | "keepAliveTimeoutMs"
  | "redisUrl"
>;

export interface GuardedServer {
  readonly server: http.Server;
  /**
   * Behind a trusted proxy every connection comes from the proxy, so the cap
   * is kept per forwarded address, on requests in flight and sockets: counts
   * this request (or upgrade) until `closed` closes, or answers null when
   * its address is at the cap. Without a proxy the cap was already applied
   * to the connection itself, and this always admits.
   */
  admit(req: http.IncomingMessage, closed: { once(event: "close", fn: () => void): unknown }): boolean;
}

/**
 * The HTTP server with the limits that keep one client from using up the
 * process (issue 9, item 5): at most `maxConnectionsPerAddress` open
 * connections per client address, refused with a 503 at once beyond it;
 * headers within `headersTimeoutMs` and the whole request within
 * `requestTimeoutMs`, or the connection is closed (408), so half-sent
 * requests cannot pile up; idle keep-alive connections closed after
 * `keepAliveTimeoutMs`.
 */
export function createGuardedServer(limits: Limits, handler: http.RequestListener): GuardedServer {
  if (limits.headersTimeoutMs > 0 && limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error("HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS");
  }
  const shortest = Math.min(...[limits.headersTimeoutMs, limits.requestTimeoutMs].filter((t) => t > 0), 4_000);
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this period (30 s by default):
      // often enough that a half-sent request lives little longer than its timeout.
      connectionsCheckingInterval: Math.max(50, Math.floor(shortest / 4)),
    },
    handler,
  );
  const counter = new ConnectionCounter(limits.maxConnectionsPerAddress);
  // Several instances (issue 16) pass their clients' sockets to each other:
  // those come from another instance's address, so count per client then too.
  const proxied = limits.trustProxy > 0 || limits.redisUrl !== null;

  if (!proxied && counter.max > 0) {
    // Count every TCP connection (keep-alive HTTP and sync sockets alike)
    // before Node's HTTP parser is attached to it, so one refused costs a
    // write and a close, never a parser or a request handler.
    const [parse] = server.listeners("connection") as ((socket: net.Socket) => void)[];
    if (!parse) throw new Error("the HTTP server has no connection listener");
    server.removeAllListeners("connection");
    server.on("connection", (socket: net.Socket) => {
      const release = counter.tryOpen(socketAddress(socket));
      if (!release) {
        refuseSocket(socket, counter.max);
        return;
      }
      socket.once("close", release);
      parse.call(server, socket);
    });
  }

  return {
    server,
    admit(req, closed) {
      if (!proxied) return true;
      const release = counter.tryOpen(clientAddress(req, limits.trustProxy));
      if (!release) return false;
      closed.once("close", release);
      return true;
    },
  };
}

/** The sentence for a client at the cap. */
export function tooManyConnections(max: number): string {
  return `Too many open connections from your address (the limit is ${max}); close some and try again.`;
}

/**
 * Answers 503 on a connection that gets no further: the answer is written at
 * once, whatever the client has sent, and what it sends is read and dropped
 * so that closing does not reset the connection before it reads the answer.
 */
function refuseSocket(socket: net.Socket, max: number): void {
  const body = JSON.stringify({ error: tooManyConnections(max) });
  socket.on("error", () => {});
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.resume();
  setTimeout(() => socket.destroy(), 2_000).unref();
}
