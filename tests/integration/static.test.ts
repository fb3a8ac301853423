import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, useServer } from "./harness.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Two built clients as `npm run build` leaves them: `built` precompressed by
 * scripts/compress-static.mjs, `plain` as `vite build` alone leaves it (the
 * server compresses those itself, once). The basemap is world-atlas's real
 * TopoJSON, as the client fetches it from assets/.
 */
const dirs = {
  built: path.join(os.tmpdir(), `wilayah-static-built-${process.pid}`),
  plain: path.join(os.tmpdir(), `wilayah-static-plain-${process.pid}`),
};
const BASEMAP = "/assets/countries-50m-Bx1Yq2Zw.json";
const SCRIPT = "/assets/index-AbCd_123.js";
const html = "<!doctype html><title>Wilayah</title><div id=app></div>";
const script = `const words = ${JSON.stringify(Array.from({ length: 4000 }, (_, i) => `word${i % 97}`))};\n`;
const binary = randomBytes(4096);

async function writeClient(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, "assets"), { recursive: true });
  await fs.writeFile(path.join(dir, "index.html"), html);
  await fs.writeFile(
    path.join(dir, "favicon.svg"),
    `<svg xmlns="http://www.w3.org/2000/svg">${" ".repeat(2000)}</svg>`,
  );
  await fs.writeFile(path.join(dir, SCRIPT), script);
  await fs.writeFile(path.join(dir, "assets/tile-Zz9_Yy8x.png"), binary);
  const topo = createRequire(import.meta.url).resolve("world-atlas/countries-50m.json");
  await fs.copyFile(topo, path.join(dir, BASEMAP));
}

beforeAll(async () => {
  for (const dir of Object.values(dirs)) await writeClient(dir);
  execFileSync(process.execPath, [path.join(ROOT, "scripts/compress-static.mjs"), dirs.built], { stdio: "ignore" });
});
afterAll(async () => {
  for (const dir of Object.values(dirs)) await fs.rm(dir, { recursive: true, force: true });
});

const built = useServer({ env: { STATIC_DIR: dirs.built } });
const plain = useServer({ env: { STATIC_DIR: dirs.plain } });

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as sent, not decoded. */
  body: Buffer;
}

/** A GET over plain node:http, which decodes nothing (fetch would undo the encoding). */
function get(base: string, pathname: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function decode(r: Raw): Buffer {
  const coding = r.headers["content-encoding"];
  if (coding === "br") return zlib.brotliDecompressSync(r.body);
  if (coding === "gzip") return zlib.gunzipSync(r.body);
  expect(coding).toBeUndefined();
  return r.body;
}

describe("static files (issue 16)", () => {
  it("sends the basemap in brotli, gzip or as is by Accept-Encoding, each decoding to the same bytes", async () => {
    const original = await fs.readFile(path.join(dirs.built, BASEMAP));
    const br = await get(built.url, BASEMAP, { "accept-encoding": "gzip, deflate, br" });
    const gz = await get(built.url, BASEMAP, { "accept-encoding": "gzip" });
    const none = await get(built.url, BASEMAP);
    expect([br.status, gz.status, none.status]).toEqual([200, 200, 200]);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(none.headers["content-encoding"]).toBeUndefined();
    for (const r of [br, gz, none]) {
      expect(decode(r).equals(original)).toBe(true);
      expect(Number(r.headers["content-length"])).toBe(r.body.length);
      expect(r.headers.vary).toBe("Accept-Encoding");
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    // Precompressed at build time: the basemap is under a third of its size in either.
    expect(br.body.length).toBeLessThan(original.length / 3);
    expect(gz.body.length).toBeLessThan(original.length / 3);
    // One ETag per representation, so a cache never answers gzip with brotli bytes.
    expect(new Set([br.headers.etag, gz.headers.etag, none.headers.etag]).size).toBe(3);
  });

  it("honours q-values: br;q=0 gets gzip, identity only gets the file as is, * gets brotli", async () => {
    expect((await get(built.url, SCRIPT, { "accept-encoding": "br;q=0, gzip" })).headers["content-encoding"]).toBe(
      "gzip",
    );
    expect((await get(built.url, SCRIPT, { "accept-encoding": "identity" })).headers["content-encoding"]).toBe(
      undefined,
    );
    expect((await get(built.url, SCRIPT, { "accept-encoding": "*" })).headers["content-encoding"]).toBe("br");
    expect((await get(built.url, SCRIPT, { "accept-encoding": "BR;q=0.5" })).headers["content-encoding"]).toBe("br");
  });

  it("answers 304 to a matching If-None-Match, strong or weak, and 200 otherwise", async () => {
    const first = await get(built.url, SCRIPT, { "accept-encoding": "br" });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+-br"$/);
    const again = await get(built.url, SCRIPT, { "accept-encoding": "br", "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(again.headers.vary).toBe("Accept-Encoding");
    const weak = await get(built.url, SCRIPT, { "accept-encoding": "br", "if-none-match": `"other", W/${etag}` });
    expect(weak.status).toBe(304);
    // The brotli ETag does not match the gzip representation.
    const gz = await get(built.url, SCRIPT, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(gz.status).toBe(200);
    expect(decode(gz).toString()).toBe(script);
    // The index's ETag works the same, and changes with its content.
    const index = await get(built.url, "/");
    expect((await get(built.url, "/", { "if-none-match": index.headers.etag as string })).status).toBe(304);
  });

  it("revalidates index.html, client routes and un-hashed files (no-cache); caches hashed assets for a year", async () => {
    for (const p of ["/", "/index.html", "/plan/abc123", "/favicon.svg"]) {
      const r = await get(built.url, p);
      expect(r.status, p).toBe(200);
      expect(r.headers["cache-control"], p).toBe("no-cache");
      expect(r.headers.etag, p).toMatch(/^"[\w-]+"$/);
    }
    expect((await get(built.url, "/plan/abc123")).body.toString()).toBe(html);
    const png = await get(built.url, "/assets/tile-Zz9_Yy8x.png", { "accept-encoding": "br, gzip" });
    expect(png.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(png.headers["content-type"]).toBe("image/png");
    // Not text: sent as it is, and not varied on Accept-Encoding.
    expect(png.headers["content-encoding"]).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect(png.body.equals(binary)).toBe(true);
    const head = await get(built.url, SCRIPT, { "accept-encoding": "br" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers["content-length"])).toBeGreaterThan(0);
  });

  it("compresses a build without .br/.gz once in the background, never per request", async () => {
    const original = await fs.readFile(path.join(dirs.plain, BASEMAP));
    await eventually(async () => {
      const r = await get(plain.url, BASEMAP, { "accept-encoding": "br" });
      expect(r.headers["content-encoding"]).toBe("br");
      expect(decode(r).equals(original)).toBe(true);
    });
    const gz = await get(plain.url, BASEMAP, { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(decode(gz).equals(original)).toBe(true);
    // Nothing was written beside the files.
    expect((await fs.readdir(path.join(dirs.plain, "assets"))).sort()).toEqual(
      ["countries-50m-Bx1Yq2Zw.json", "index-AbCd_123.js", "tile-Zz9_Yy8x.png"].sort(),
    );
  });
});
