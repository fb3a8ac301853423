import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);

interface Entry {
  version: number;
  text: Buffer;
  /** Built on first request by a client that accepts gzip. */
  gz: Promise<Buffer> | null;
}

/**
 * Large JSON answers that only change with a version (a plan's accounts:
 * 50,000 of them are 10 MB of GeoJSON, ~0.4 s to read, build, stringify and
 * gzip), kept serialised and compressed until the version moves on. A few
 * plans at most (least recently used out).
 */
export class VersionedJsonCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 4) {}

  async send(
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    version: number,
    build: () => Promise<unknown>,
  ): Promise<void> {
    let entry = this.entries.get(key);
    if (!entry || entry.version !== version) {
      const text = Buffer.from(JSON.stringify(await build()), "utf8");
      entry = { version, text, gz: null };
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const headers: Record<string, string | number> = {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      vary: "accept-encoding",
    };
    if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      entry.gz ??= gzipAsync(entry.text, { level: 6 });
      const gz = await entry.gz;
      res.writeHead(200, { ...headers, "content-encoding": "gzip", "content-length": gz.length });
      res.end(gz);
    } else {
      res.writeHead(200, { ...headers, "content-length": entry.text.length });
      res.end(entry.text);
    }
  }

  /** Drops a key (its data changed without a new version, e.g. the plan was replaced). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
