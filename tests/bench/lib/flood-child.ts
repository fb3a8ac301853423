/**
 * The attackers of the attack benchmark, in a process of their own (started
 * by flood.ts): `n` raw sockets that each send one prepared sync message as
 * fast as the server takes it (whenever the socket's bufferedAmount is low)
 * and open a new socket whenever the server closes theirs. They live apart
 * from the bench's measuring clients so that their own CPU time never shows
 * up as latency in the measured edits or health checks.
 *
 * IPC: {type: "start", url, sockets, message (base64), localAddress?, spread?} → {type: "started"};
 * {type: "stats"} → {type: "stats", stats}; {type: "stop"} → final stats, exit.
 */
import WebSocket from "ws";
import { MessageType } from "../../../shared/protocol/messages.ts";
import type { FloodStats, ToFlood } from "./flood.ts";

/** Send while less than this is queued in the socket (a few frames: the kernel buffer does the rest). */
const LOW_WATER_BYTES = 1024;
/** Frames one socket sends before it lets the others have a turn. */
const BATCH = 32;

const stats: FloodStats = {
  connects: 0,
  opened: 0,
  sent: 0,
  refusals: {},
  closes: {},
  upgradeRefused: {},
  bytesReceived: 0,
};
let stopping = false;
const sockets = new Set<WebSocket>();

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** The refusal's code without parsing the whole frame (`{"code":"forbidden",…}`). */
function refusalCode(data: Buffer): string {
  const m = /"code":"([a-z-]+)"/.exec(data.toString("latin1", 0, Math.min(data.length, 80)));
  return m?.[1] ?? "?";
}

/** The attackers' own source address (a loopback alias), apart from the measuring clients' 127.0.0.1. */
let localAddress: string | undefined;
/** Each new socket from an address of its own (127.1.0.1, 127.1.0.2, …), as a botnet or an IPv6 /64 would. */
let spread = false;
let nextAddress = 0;

function sourceAddress(): string | undefined {
  if (!spread) return localAddress;
  nextAddress++;
  return `127.${1 + Math.floor(nextAddress / 65_025)}.${Math.floor(nextAddress / 255) % 255}.${1 + (nextAddress % 255)}`;
}

function attacker(url: string, message: Buffer): void {
  if (stopping) return;
  stats.connects++;
  const ws = new WebSocket(url, { perMessageDeflate: false, localAddress: sourceAddress() });
  sockets.add(ws);
  let opened = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  const pump = () => {
    timer = null;
    if (stopping || ws.readyState !== WebSocket.OPEN) return;
    for (let k = 0; k < BATCH && ws.bufferedAmount < LOW_WATER_BYTES; k++) {
      ws.send(message, { binary: true });
      stats.sent++;
    }
    // Kernel buffers full (the server is not reading): look again in a millisecond instead of spinning.
    timer = ws.bufferedAmount < LOW_WATER_BYTES ? setImmediate(pump) : setTimeout(pump, 1);
  };
  ws.binaryType = "nodebuffer";
  ws.on("open", () => {
    opened = true;
    stats.opened++;
    pump();
  });
  ws.on("message", (data: Buffer) => {
    stats.bytesReceived += data.length;
    if (data[0] === MessageType.refused) bump(stats.refusals, refusalCode(data));
  });
  ws.on("unexpected-response", (_req, res) => {
    bump(stats.upgradeRefused, String(res.statusCode));
    ws.terminate();
  });
  ws.on("error", () => {});
  ws.on("close", (code) => {
    sockets.delete(ws);
    if (timer) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
    if (opened) bump(stats.closes, String(code));
    // Straight back in; a socket that never opened waits a little, so a refusing server is not spun on.
    if (!stopping) setTimeout(() => attacker(url, message), opened ? 0 : 20);
  });
}

process.on("message", (msg: ToFlood) => {
  if (msg.type === "start") {
    const message = Buffer.from(msg.message, "base64");
    localAddress = msg.localAddress;
    spread = msg.spread === true;
    for (let i = 0; i < msg.sockets; i++) attacker(msg.url, message);
    process.send?.({ type: "started" });
  } else if (msg.type === "stats") {
    process.send?.({ type: "stats", stats });
  } else if (msg.type === "stop") {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    process.send?.({ type: "stats", stats }, () => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
