import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { sendError } from "./api/http.ts";
import compressible from "./static-compressible.json" with { type: "json" };
import { logger } from "./ops/log.ts";

const staticLog = logger("static");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".geojson": "application/geo+json",
};

/**
 * Worth compressing (text), and from what size: shared with
 * scripts/compress-static.mjs, which writes .br/.gz beside these at build time.
 */
const COMPRESSIBLE = new Set(compressible.extensions);
const MIN_COMPRESS_BYTES = compressible.minBytes;

/**
 * Vite's output names: `assets/<name>-<hash>.<ext>`, the hash 8 characters
 * of base64url. Only those may be cached for a year: their name changes
 * with their content.
 */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$/;

type Coding = "br" | "gzip";
const SUFFIX: Record<Coding, string> = { br: ".br", gzip: ".gz" };

/** A representation of a file: its bytes on disk (a path) or in memory (compressed on the fly). */
interface Variant {
  size: number;
  file?: string;
  bytes?: Buffer;
}

/** What is known about one file while its size and mtime stay the same. */
interface Entry {
  size: number;
  mtimeMs: number;
  /** Of the content, so two instances serving the same build agree on it. */
  hash: string;
  variants: Partial<Record<Coding, Variant>>;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** At most this much compressed output kept in memory for files that came without .br/.gz. */
const MEMORY_BUDGET = 64 * 1024 * 1024;

/**
 * The built client's files with what serving them needs: a content ETag,
 * and their brotli and gzip copies, precompressed by the build
 * (`npm run build`) or, for a build without them (`vite build` alone),
 * compressed once in the background (zlib runs on libuv's thread pool, not
 * the event loop) and kept in memory; the file goes uncompressed meanwhile.
 */
class StaticFiles {
  private readonly entries = new Map<string, Entry>();
  private memoryUsed = 0;

  async entry(file: string, size: number, mtimeMs: number): Promise<Entry> {
    const known = this.entries.get(file);
    if (known && known.size === size && known.mtimeMs === mtimeMs) return known;
    if (known) this.forget(known);
    const hash = createHash("sha256");
    await pipeline(createReadStream(file), hash);
    const entry: Entry = {
      size,
      mtimeMs,
      hash: hash.digest("base64url").slice(0, 27),
      variants: {},
    };
    if (COMPRESSIBLE.has(path.extname(file)) && size >= MIN_COMPRESS_BYTES) {
      for (const coding of ["br", "gzip"] as const) {
        const stat = await fs.stat(file + SUFFIX[coding]).catch(() => null);
        // A copy older than its file belongs to another build.
        if (stat?.isFile() && stat.mtimeMs >= mtimeMs)
          entry.variants[coding] = { size: stat.size, file: file + SUFFIX[coding] };
      }
      if (!entry.variants.br && !entry.variants.gzip) this.compressLater(file, entry);
    }
    this.entries.set(file, entry);
    return entry;
  }

  private compressLater(file: string, entry: Entry): void {
    if (this.memoryUsed + entry.size > MEMORY_BUDGET) return;
    void (async () => {
      const data = await fs.readFile(file);
      const [br, gz] = await Promise.all([
        // Quality 5: a few times faster than the build's 11, for a file or two per process.
        brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }),
        gzip(data, { level: 6 }),
      ]);
      if (this.entries.get(file) !== entry) return;
      for (const [coding, bytes] of [
        ["br", br],
        ["gzip", gz],
      ] as const) {
        if (bytes.length >= data.length) continue;
        entry.variants[coding] = { size: bytes.length, bytes };
        this.memoryUsed += bytes.length;
      }
    })().catch((e: Error) =>
      staticLog.warn({ err: e, file }, "compressing a static file failed; it is sent uncompressed"),
    );
  }

  private forget(entry: Entry): void {
    for (const v of Object.values(entry.variants)) if (v.bytes) this.memoryUsed -= v.bytes.length;
  }
}

/** One cache per client folder. */
const caches = new Map<string, StaticFiles>();

/**
 * The coding to send: brotli, else gzip, when the client accepts it (a
 * q-value of 0 refuses; `*` accepts any) and a copy exists; else none.
 */
export function chooseEncoding(acceptEncoding: string | undefined, available: readonly Coding[]): Coding | null {
  if (!acceptEncoding || available.length === 0) return null;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepted = (coding: string) => (q.get(coding) ?? q.get("*") ?? 0) > 0;
  for (const coding of ["br", "gzip"] as const) if (available.includes(coding) && accepted(coding)) return coding;
  return null;
}

/** Whether If-None-Match names this ETag (weak comparison, as RFC 9110 asks for it). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const plain = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => plain(tag) === plain(etag));
}

/**
 * Serves the built client. Hashed files under assets/ are cached for a
 * year; index.html and other files are revalidated (`no-cache`) by ETag,
 * answered 304 when unchanged; text files go in brotli or gzip when the
 * client accepts it. Any other path that is not a file gets index.html
 * (client routing).
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendError(res, 405, `${req.method} is not supported here.`);
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    sendError(
      res,
      400,
      "The address has a malformed percent-encoding; encode special characters as %XX with two hex digits each.",
    );
    return;
  }
  const rel = path.normalize(decoded).replace(/^(\.\.[/\\])+/, "");
  let file = path.join(root, rel);
  if (!file.startsWith(root)) file = path.join(root, "index.html");
  let stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) {
    file = path.join(root, "index.html");
    stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) {
      sendError(res, 503, "The web client is not built yet: run `npm run build` (npm start does it for you).");
      return;
    }
  }
  let files = caches.get(root);
  if (!files) {
    files = new StaticFiles();
    caches.set(root, files);
  }
  const entry = await files.entry(file, stat.size, stat.mtimeMs);
  const immutable = file !== path.join(root, "index.html") && HASHED_ASSET.test(rel.split(path.sep).join("/"));
  const available = Object.keys(entry.variants) as Coding[];
  const coding = chooseEncoding(req.headers["accept-encoding"], available);
  const variant: Variant = coding ? (entry.variants[coding] as Variant) : { size: entry.size, file };
  // One ETag per representation: a cache must not answer a gzip request with brotli bytes.
  const etag = `"${entry.hash}${coding ? `-${coding}` : ""}"`;
  const headers: Record<string, string | number> = {
    "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    etag,
  };
  if (COMPRESSIBLE.has(path.extname(file))) headers.vary = "Accept-Encoding";
  if (matches(req.headers["if-none-match"], etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (coding) headers["content-encoding"] = coding;
  headers["content-length"] = variant.size;
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  if (variant.bytes) {
    res.end(variant.bytes);
    return;
  }
  await pipeline(createReadStream(variant.file as string), res).catch((e: Error) => {
    // A client that went away mid-file is not the server's problem.
    if (!res.destroyed) throw e;
  });
}
