import http from "node:http";
import { describe, expect, it } from "vitest";
import { createPlanWithLinks, startServerProcess, useServer } from "./harness.ts";

/**
 * Issue 9: `Host` and `X-Forwarded-Proto` went into share links as they
 * came (`javascript://evil.example/plan/…`), and a bad percent-encoding in
 * a path answered 500.
 */

/** A request with headers fetch would not let us forge (Host). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, setHost: false }, (res) => {
      let text = "";
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

const server = useServer({ env: { SEED_DEMO: "1" } });

describe("links in answers", () => {
  it("are built from the request's Host only when it is a host name, and never take the scheme from a header", async () => {
    const made = await raw(server.port, "POST", "/api/plans", {
      host: "wilayah.example.com:8443",
      "x-forwarded-proto": "javascript",
      "content-type": "application/json",
    });
    expect(made.status).toBe(201);
    const links = made.body.links as Record<string, string>;
    for (const link of Object.values(links)) expect(link).toMatch(/^http:\/\/wilayah\.example\.com:8443\/plan\//);

    // Even https is not believed without a trusted proxy.
    const https = await raw(server.port, "GET", "/api/demo", { host: "127.0.0.1", "x-forwarded-proto": "https" });
    expect((https.body.links as Record<string, string>).edit).toMatch(/^http:\/\/127\.0\.0\.1\/plan\//);

    for (const host of ["javascript://evil.example", "evil.example/path", "a b", "evil.example:99999", "<x>", ""]) {
      for (const [method, path] of [
        ["POST", "/api/plans"],
        ["GET", "/api/demo"],
      ] as const) {
        const res = await raw(server.port, method, path, { host, "content-type": "application/json" });
        expect(res.status, `${method} ${path} Host: ${host}`).toBe(400);
        expect(res.body.error).toMatch(/Host header/);
      }
    }
    const plan = await createPlanWithLinks(server);
    const rotated = await raw(server.port, "POST", `/api/plans/${plan.id}/links/view/rotate`, {
      host: "javascript://evil.example",
      authorization: `Bearer ${plan.tokens.edit}`,
    });
    expect(rotated.status).toBe(400);
    // Refused before anything changed: the view link still works.
    const still = await fetch(`${server.url}/api/plans/${plan.id}`, {
      headers: { authorization: `Bearer ${plan.tokens.view}` },
    });
    expect(still.status).toBe(200);
  });

  it("use PUBLIC_URL when set, and the forwarded scheme behind a trusted proxy", async () => {
    const pub = await startServerProcess({ env: { PUBLIC_URL: "https://plan.example.co.id" } });
    const proxied = await startServerProcess({ env: { TRUST_PROXY: "1" } });
    try {
      const a = await raw(pub.port, "POST", "/api/plans", { host: "javascript://evil.example" });
      expect(a.status).toBe(201);
      expect((a.body.links as Record<string, string>).edit).toMatch(/^https:\/\/plan\.example\.co\.id\/plan\//);
      const b = await raw(proxied.port, "POST", "/api/plans", {
        host: "wilayah.example.com",
        "x-forwarded-proto": "https",
      });
      expect((b.body.links as Record<string, string>).edit).toMatch(/^https:\/\/wilayah\.example\.com\/plan\//);
      const c = await raw(proxied.port, "POST", "/api/plans", {
        host: "wilayah.example.com",
        "x-forwarded-proto": "javascript",
      });
      expect((c.body.links as Record<string, string>).edit).toMatch(/^http:\/\/wilayah\.example\.com\/plan\//);
    } finally {
      await pub.kill();
      await proxied.kill();
    }
  });

  it("refuses a PUBLIC_URL that is not an http(s) origin at start", async () => {
    await expect(startServerProcess({ env: { PUBLIC_URL: "javascript://evil.example" } })).rejects.toThrow(
      /PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/,
    );
  });
});

describe("bad percent-encoding in a path", () => {
  it("answers 400 with a sentence, for the API and for pages", async () => {
    for (const path of ["/api/plans/%E0%A4%A", "/api/plans/%E0%A4%A/territories", "/plan/%E0%A4%A", "/%zz"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/malformed percent-encoding/);
    }
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
