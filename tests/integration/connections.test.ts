import net from "node:net";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createPlanWithLinks, eventually, startServerProcess, useServer } from "./harness.ts";

/**
 * Issue 9, item 5: one client held 19,950 half-sent requests open, used up
 * the process's file limit and health failed. Connections are capped per
 * address and half-sent requests time out.
 *
 * The attacker connects from 127.0.0.2 (all of 127/8 is this machine), so
 * the test itself, from 127.0.0.1, is "everyone else".
 */
const ATTACKER = "127.0.0.2";
const CAP = 20;

/** A raw TCP connection from `from` that sends `data` (or nothing) and collects what comes back until it closes. */
function rawConnection(port: number, data: string | null, from = ATTACKER) {
  const socket = net.connect({ port, host: "127.0.0.1", localAddress: from });
  let received = "";
  const closed = new Promise<string>((resolve) => {
    socket.on("data", (d) => {
      received += d;
    });
    socket.on("close", () => resolve(received));
    socket.on("error", () => {});
  });
  socket.on("connect", () => {
    if (data) socket.write(data);
  });
  const opened = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, closed, opened, received: () => received };
}

/** A whole request over a fresh connection from `from`: the status line and the JSON body. */
async function request(port: number, path: string, from = ATTACKER): Promise<{ status: number; body: string }> {
  const c = rawConnection(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, from);
  const text = await c.closed;
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

const server = useServer({
  env: { MAX_CONNECTIONS_PER_ADDRESS: String(CAP), HEADERS_TIMEOUT_MS: "1500", REQUEST_TIMEOUT_MS: "3000" },
});

describe("connections per address", () => {
  it("refuses a connection past the cap at once with a sentence; health keeps answering others; half-sent requests are dropped", async () => {
    const held = Array.from({ length: CAP }, () =>
      rawConnection(server.port, "GET /api/health HTTP/1.1\r\nHost: x\r\n"),
    );
    await Promise.all(held.map((c) => c.opened));

    const refused = await request(server.port, "/api/health");
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error).toMatch(/Too many open connections from your address \(the limit is 20\)/);
    // A socket upgrade past the cap is refused the same way.
    const upgrade = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.wsUrl}/sync/whatever`, { localAddress: ATTACKER });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => resolve(-1));
    });
    expect(upgrade).toBe(503);

    // Everyone else is served meanwhile.
    expect((await request(server.port, "/api/health", "127.0.0.1")).status).toBe(200);

    // The half-sent requests are closed by the header timeout (408), and the address may connect again.
    const answers = await Promise.all(held.map((c) => c.closed));
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 408/);
    // The client sees its socket close before the server has counted it closed (the
    // server's own close event runs a turn later), so the slot comes back within moments.
    await eventually(async () => expect((await request(server.port, "/api/health")).status).toBe(200), 3000);
  });

  it("drops a connection that sends nothing, and leaves open sync sockets alone", async () => {
    const plan = await createPlanWithLinks(server, "Long-lived");
    const ws = new WebSocket(`${server.wsUrl}/sync/${plan.id}?token=${plan.tokens.view}`);
    let closedAt = 0;
    ws.on("close", () => {
      closedAt = Date.now();
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const silent = rawConnection(server.port, null);
    expect(await silent.closed).toMatch(/^HTTP\/1\.1 408/);
    // Past the header and request timeouts, the socket is still open.
    await new Promise((r) => setTimeout(r, 3_500));
    expect(closedAt).toBe(0);
    ws.close();
  });
});

describe("behind a trusted proxy", () => {
  it("counts sockets per forwarded address (the entry the proxy added), not per proxy", async () => {
    const proxied = await startServerProcess({ env: { TRUST_PROXY: "1", MAX_CONNECTIONS_PER_ADDRESS: "2" } });
    const open: WebSocket[] = [];
    try {
      const plan = await createPlanWithLinks(proxied, "Proxied");
      const connect = (forwardedFor: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`${proxied.wsUrl}/sync/${plan.id}?token=${plan.tokens.view}`, {
            headers: { "x-forwarded-for": forwardedFor },
          });
          open.push(ws);
          ws.on("open", () => resolve(101));
          ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
          ws.on("error", () => resolve(-1));
        });
      expect(await connect("203.0.113.7")).toBe(101);
      // What the client wrote to the left of the proxy's entry does not count.
      expect(await connect("10.1.1.1, 203.0.113.7")).toBe(101);
      expect(await connect("10.2.2.2, 203.0.113.7")).toBe(503);
      // Another client behind the same proxy is not affected.
      expect(await connect("203.0.113.8")).toBe(101);
      // A REST call from the full address is refused too; health for others is not.
      const full = await fetch(`${proxied.url}/api/health`, { headers: { "x-forwarded-for": "203.0.113.7" } });
      expect(full.status).toBe(503);
      expect((await fetch(`${proxied.url}/api/health`, { headers: { "x-forwarded-for": "203.0.113.9" } })).status).toBe(
        200,
      );
      // When the client closes a socket, its address may open another.
      open[0]?.close();
      await eventually(async () => expect(await connect("203.0.113.7")).toBe(101), 5_000, 100);
    } finally {
      for (const ws of open) ws.terminate();
      await proxied.kill();
    }
  });

  it("without TRUST_PROXY, X-Forwarded-For changes nothing", async () => {
    const held = Array.from({ length: CAP }, (_, i) =>
      rawConnection(server.port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.${i}\r\n`),
    );
    await Promise.all(held.map((c) => c.opened));
    const c = rawConnection(
      server.port,
      "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 198.51.100.99\r\nConnection: close\r\n\r\n",
    );
    expect(await c.closed).toMatch(/^HTTP\/1\.1 503/);
    for (const h of held) h.socket.destroy();
  });
});
