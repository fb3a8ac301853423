import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import net from "node:net";
import { CLIENT_HEADER, HOP_HEADER } from "../cluster/forward.ts";

/** The secret other instances of this deployment prove themselves with (issue 16); null: one instance. */
let instanceSecret: Buffer | null = null;

/** Believes the client address another instance forwards with this secret (several instances). */
export function trustInstances(secret: string | null): void {
  instanceSecret = secret === null ? null : Buffer.from(secret, "utf8");
}

/** Whether the request was forwarded by another instance of ours (it then carries the client's address). */
export function fromInstance(req: IncomingMessage): boolean {
  if (!instanceSecret) return false;
  const given = req.headers[HOP_HEADER];
  if (typeof given !== "string") return false;
  const bytes = Buffer.from(given, "utf8");
  return bytes.length === instanceSecret.length && timingSafeEqual(bytes, instanceSecret);
}

/**
 * The address a request comes from, for the limits kept per address.
 *
 * Without a trusted proxy (`trustProxy` 0) it is the socket's, whatever the
 * headers say. Behind `trustProxy` proxies it is the X-Forwarded-For entry
 * the farthest trusted proxy added: each proxy appends the address it saw,
 * so with one proxy that is the last entry. Entries to its left are what the
 * client itself claimed, and a client could change them at will to escape
 * its limits; they are never used.
 *
 * @example clientAddress(req, 1) // "203.0.113.7" for "X-Forwarded-For: 10.0.0.1, 203.0.113.7"
 */
export function clientAddress(req: IncomingMessage, trustProxy: number): string {
  if (fromInstance(req)) {
    // Forwarded by the instance the client reached, which worked out its address as below.
    const forwarded = req.headers[CLIENT_HEADER];
    if (typeof forwarded === "string" && net.isIP(forwarded)) return forwarded;
  }
  const own = socketAddress(req.socket);
  if (trustProxy <= 0) return own;
  const header = req.headers["x-forwarded-for"];
  const entries = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const entry = entries[Math.max(0, entries.length - trustProxy)];
  if (entry === undefined) return own;
  const address = plainAddress(entry);
  return net.isIP(address) ? address : own;
}

/** The address at the other end of a socket (IPv4 clients of a dual-stack server without their `::ffff:`). */
export function socketAddress(socket: { remoteAddress?: string | undefined }): string {
  return plainAddress(socket.remoteAddress ?? "unknown");
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; `[::1]:443` → `::1`; `1.2.3.4:5` → `1.2.3.4`. */
function plainAddress(address: string): string {
  let a = address;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1] as string;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  if (a.toLowerCase().startsWith("::ffff:") && net.isIPv4(a.slice(7))) a = a.slice(7);
  return a;
}

/**
 * Open connections per address, under a cap. `open` counts one and returns
 * the function that gives it back, or null when the address is at the cap.
 * A cap of 0 counts nothing.
 */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  tryOpen(address: string): (() => void) | null {
    if (this.max <= 0) return () => {};
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return null;
    this.open.set(address, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(address) ?? 1) - 1;
      if (left <= 0) this.open.delete(address);
      else this.open.set(address, left);
    };
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
