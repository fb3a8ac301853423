import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { ConnectionCounter, clientAddress } from "./client-address.ts";

function req(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  } as unknown as IncomingMessage;
}

describe("clientAddress", () => {
  it("is the socket's without a trusted proxy, whatever the headers say", () => {
    expect(clientAddress(req("::ffff:192.0.2.1", "203.0.113.7"), 0)).toBe("192.0.2.1");
    expect(clientAddress(req("::1"), 0)).toBe("::1");
  });

  it("is the entry the trusted proxy added, never what the client wrote to its left", () => {
    expect(clientAddress(req("10.0.0.2", "203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(req("10.0.0.2", "1.1.1.1, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(req("10.0.0.2", "1.1.1.1, 203.0.113.7, 10.0.0.9"), 2)).toBe("203.0.113.7");
    expect(clientAddress(req("10.0.0.2", "[2001:db8::1]:443"), 1)).toBe("2001:db8::1");
    expect(clientAddress(req("10.0.0.2", "203.0.113.7:5678"), 1)).toBe("203.0.113.7");
  });

  it("falls back to the socket when the header is missing or not an address", () => {
    expect(clientAddress(req("10.0.0.2"), 1)).toBe("10.0.0.2");
    expect(clientAddress(req("10.0.0.2", "unknown"), 1)).toBe("10.0.0.2");
    expect(clientAddress(req("10.0.0.2", ""), 1)).toBe("10.0.0.2");
  });
});

describe("ConnectionCounter", () => {
  it("counts per address up to the cap and gives each place back once", () => {
    const c = new ConnectionCounter(2);
    const a = c.tryOpen("a");
    const b = c.tryOpen("a");
    expect(a && b).toBeTruthy();
    expect(c.tryOpen("a")).toBeNull();
    expect(c.tryOpen("b")).not.toBeNull();
    a?.();
    a?.();
    expect(c.count("a")).toBe(1);
    expect(c.tryOpen("a")).not.toBeNull();
  });

  it("counts nothing with a cap of 0", () => {
    const c = new ConnectionCounter(0);
    for (let i = 0; i < 1000; i++) expect(c.tryOpen("a")).not.toBeNull();
    expect(c.count("a")).toBe(0);
  });
});
