import fs from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { sendError } from "./api/http.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".geojson": "application/geo+json",
};

/**
 * Serves the built client. Hashed files under assets/ are cached for a
 * year; any other path that is not a file gets index.html (client routing).
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
  const immutable = rel.startsWith(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
    "content-length": stat.size,
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  res.end(await fs.readFile(file));
}
