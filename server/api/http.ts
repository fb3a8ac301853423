import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
/** Bodies smaller than this go uncompressed: not worth a round through zlib. */
const COMPRESS_FROM_BYTES = 32 * 1024;

/** An error with an HTTP status and a sentence for the person who sent the request. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/**
 * Like sendJson, gzipped when the client accepts it and the body is large
 * (50,000 accounts are 8.7 MB of GeoJSON, about a tenth of that gzipped).
 * zlib runs on the thread pool, so sync traffic is not held up meanwhile.
 */
export async function sendLargeJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
): Promise<void> {
  await sendLargeJsonText(req, res, status, JSON.stringify(body));
}

/** sendLargeJson for JSON already serialised (by a worker: the event loop only sends it). */
export async function sendLargeJsonText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
): Promise<void> {
  const accepts = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  if (!accepts || text.length < COMPRESS_FROM_BYTES) {
    sendJsonText(res, status, text);
    return;
  }
  const zipped = await gzipAsync(text, { level: 6 });
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-encoding": "gzip",
    "content-length": zipped.length,
    "cache-control": "no-store",
    vary: "accept-encoding",
  });
  res.end(zipped);
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  details?: Record<string, unknown>,
): void {
  sendJson(res, status, { error: message, ...details });
}

/** Reads a request body up to `limit` bytes; 413 beyond it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpError(413, `The request body is larger than the ${formatBytes(limit)} limit.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new HttpError(413, `The request body is larger than the ${formatBytes(limit)} limit.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads and parses a JSON body; 400 when it is not JSON. An empty body reads as `{}`. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `The request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * A yes/no query parameter, strictly: absent, `false` or `0` is no; `true`,
 * `1` or empty (`?dryRun`) is yes; anything else is a 400 naming it.
 */
export function queryFlag(url: URL, name: string): boolean {
  const v = url.searchParams.get(name);
  if (v === null || v === "false" || v === "0") return false;
  if (v === "" || v === "true" || v === "1") return true;
  throw new HttpError(400, `${name} must be true or false.`);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`;
}

/** A host name (labels of letters, digits and inner hyphens), an IPv4 address or a bracketed IPv6 one, and an optional port. */
const HOST_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The origin (`http://host[:port]` or `https://…`) of links in answers (share
 * links). `publicUrl` (PUBLIC_URL) when set; else the request's Host, which
 * must be a host name or an IP address with an optional port (400
 * otherwise, so a forged Host never turns into a link); the scheme is
 * X-Forwarded-Proto's only behind a trusted proxy, and only http or https.
 */
export function linkOrigin(req: IncomingMessage, opts: { publicUrl: string | null; trustProxy: number }): string {
  if (opts.publicUrl) return opts.publicUrl;
  const host = req.headers.host;
  if (!host || host.length > 260 || !HOST_PATTERN.test(host) || Number(/:(\d+)$/.exec(host)?.[1] ?? 1) > 65535) {
    throw new HttpError(
      400,
      "The request's Host header is not a host name with an optional port, so no link can be made from it; the server's operator can set PUBLIC_URL.",
    );
  }
  let scheme = "http";
  if (opts.trustProxy > 0) {
    const forwarded = String(req.headers["x-forwarded-proto"] ?? "")
      .split(",")[0]
      ?.trim()
      .toLowerCase();
    if (forwarded === "https" || forwarded === "http") scheme = forwarded;
  }
  return `${scheme}://${host.toLowerCase()}`;
}
