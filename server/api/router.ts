import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, sendError } from "./http.ts";
import { storageHttpError } from "./storage-errors.ts";
import { logger } from "../ops/log.ts";
import { requestFields } from "../ops/request-log.ts";

const apiLog = logger("api");

export type Params = Record<string, string>;
export type Handler = (req: IncomingMessage, res: ServerResponse, params: Params, url: URL) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/**
 * decodeURIComponent for a path segment, with a 400 for a malformed escape
 * (`%E0%A4%A`) instead of a URIError.
 */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(
      400,
      `The address has a malformed percent-encoding ("${segment.slice(0, 64)}"); encode special characters as %XX with two hex digits each.`,
    );
  }
}

/** A tiny method + path router: `/api/plans/:id/territories/:territoryId`. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** Handles the request when a route's path matches; false when none does. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      try {
        const params: Params = {};
        route.keys.forEach((key, i) => {
          params[key] = decodePathSegment(m[i + 1] as string);
        });
        await route.handler(req, res, params, url);
      } catch (e) {
        const storage = e instanceof HttpError ? null : storageHttpError(e);
        if (e instanceof HttpError) sendError(res, e.status, e.message, e.details);
        else if (storage) {
          // Damage was logged where it was found; a full or read-only disk is logged here.
          if (!storage.details?.damaged) apiLog.error({ ...requestFields(req), err: e }, (e as Error).message);
          if (!res.headersSent) sendError(res, storage.status, storage.message, storage.details);
        } else {
          apiLog.error({ ...requestFields(req), err: e }, "the request failed");
          if (!res.headersSent) sendError(res, 500, "Something went wrong on the server; please try again.");
        }
      }
      return true;
    }
    if (pathMatched) {
      sendError(res, 405, `${req.method} is not supported on ${url.pathname}.`);
      return true;
    }
    return false;
  }
}
