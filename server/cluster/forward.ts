import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { sendError } from "../api/http.ts";

/**
 * Passing a client's socket or REST call to the plan's owner (issue 16).
 *
 * A sync socket is forwarded as bytes: the upgrade request is written to the
 * owner as it came (plus the hop headers) and both directions are piped, so
 * the owner sees the socket exactly as if the client had connected to it —
 * its checks, refusals (HTTP status and JSON), close codes, awareness,
 * analysis and feed messages pass untouched, and this instance never parses
 * a frame. When the owner dies the pipe breaks and the client reconnects.
 */

/** Set by the forwarding instance: the secret proving it is one of ours, and the client's address. */
export const HOP_HEADER = "x-wilayah-hop";
export const CLIENT_HEADER = "x-wilayah-client";

/** Thrown when the owner's port refuses the connection: it is dead, its lease may be taken over. */
export class OwnerUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: Error,
  ) {
    super(`the instance at ${url} cannot be reached: ${cause.message}`, { cause });
    this.name = "OwnerUnreachableError";
  }
}

function target(ownerUrl: string): { host: string; port: number } {
  const u = new URL(ownerUrl);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || 80) };
}

/** The request's headers as sent, minus any hop headers a client forged, plus ours. */
function hopHeaders(req: http.IncomingMessage, secret: string, client: string): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (lower === HOP_HEADER || lower === CLIENT_HEADER) continue;
    out.push([name, req.rawHeaders[i + 1] as string]);
  }
  out.push([HOP_HEADER, secret], [CLIENT_HEADER, client]);
  return out;
}

/**
 * Connects to the owner; rejects with OwnerUnreachableError when its port
 * refuses or does not answer within `timeoutMs` (nothing was sent then).
 */
function connect(ownerUrl: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const upstream = net.connect(target(ownerUrl));
    const timer = setTimeout(() => upstream.destroy(new Error("no answer")), timeoutMs);
    upstream.once("connect", () => {
      clearTimeout(timer);
      upstream.removeAllListeners("error");
      resolve(upstream);
    });
    upstream.once("error", (e) => {
      clearTimeout(timer);
      reject(new OwnerUnreachableError(ownerUrl, e));
    });
  });
}

/**
 * Forwards a WebSocket upgrade to the owner and pipes the two sockets until
 * either closes. Rejects (having sent nothing to the client) only when the
 * owner cannot be reached.
 */
export async function forwardUpgrade(
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ownerUrl: string,
  hop: { secret: string; client: string },
): Promise<void> {
  const upstream = await connect(ownerUrl, 1_000);
  upstream.setNoDelay(true);
  if (socket instanceof net.Socket) socket.setNoDelay(true);
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  for (const [name, value] of hopHeaders(req, hop.secret, hop.client)) lines.push(`${name}: ${value}`);
  upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (head.length > 0) upstream.write(head);
  const teardown = () => {
    socket.destroy();
    upstream.destroy();
  };
  upstream.on("error", teardown);
  socket.on("error", teardown);
  upstream.on("close", teardown);
  socket.on("close", teardown);
  upstream.pipe(socket);
  socket.pipe(upstream);
}

/** Hop-by-hop headers a proxy must not pass on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te"]);

/**
 * Forwards a REST call to the owner and streams its answer back. The
 * connection is made before anything of the request is read, so when the
 * owner cannot be reached this rejects with OwnerUnreachableError with the
 * request untouched: the caller may then serve it itself.
 */
export async function forwardRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ownerUrl: string,
  hop: { secret: string; client: string },
): Promise<void> {
  // A fresh connection per call (no keep-alive): a refused connect then
  // always means the owner is gone, never a pooled socket the owner closed.
  const socket = await connect(ownerUrl, 1_000);
  socket.setNoDelay(true);
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of hopHeaders(req, hop.secret, hop.client)) {
      if (HOP_BY_HOP.has(name.toLowerCase())) continue;
      const prev = headers[name];
      headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
    }
    const upstream = http.request({
      ...target(ownerUrl),
      method: req.method,
      path: req.url,
      headers,
      createConnection: () => socket,
    });
    let answered = false;
    upstream.on("response", (answer) => {
      answered = true;
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on("end", () => resolve());
      answer.on("error", () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on("error", () => {
      // The owner died while answering: the call may or may not have been applied, as with any broken call.
      if (!answered && !res.headersSent)
        sendError(res, 502, "The server holding this plan stopped while answering; try again.");
      else res.destroy();
      resolve();
    });
    // A client that goes away takes the forwarded call with it.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
}
