import type { ServerResponse } from "node:http";
import { ProposalError, type Proposals } from "../balance/proposals.ts";
import { inScope, outsideScope } from "../../shared/access/scope.ts";
import { territoriesMap } from "../../shared/doc/schema.ts";
import type { PlanApi } from "./context.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import type { Router } from "./router.ts";

/**
 * Auto-balance over REST (issue 13; server/README.md documents each call):
 * start a proposal, read them, stop, discard, accept and take back. Any
 * link reads; only an edit link starts, stops, discards, accepts or undoes.
 */
export function proposalRoutes(router: Router, api: PlanApi, proposals: Proposals): void {
  const { ctx } = api;
  const base = "/api/plans/:id/proposals";

  router.on("POST", base, async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "start an auto-balance", {
      scoped: true,
    });
    const body = await readJson(req, ctx.config.maxBodyBytes);
    const p = await api.withRoom(id as string, (room) => {
      // A scoped link balances its own territories: every other one is locked (issue 15).
      const scope = caller.scope;
      if (scope && typeof body === "object" && body !== null && !Array.isArray(body)) {
        const b = body as { locked?: unknown };
        const outside: string[] = [];
        territoriesMap(room.doc).forEach((_, t) => {
          if (!inScope(scope, room.doc, t)) outside.push(t);
        });
        b.locked = [...new Set([...(Array.isArray(b.locked) ? b.locked : []), ...outside])];
      }
      return refusals(res, () => proposals.start(room, caller.actor, body));
    });
    sendJson(res, 202, { id: p.id, status: p.status });
  });

  router.on("GET", base, async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const list = await api.withRoom(id as string, async (room) => refusals(res, async () => proposals.list(room)));
    sendJson(res, 200, { proposals: list });
  });

  router.on("GET", `${base}/:pid`, async (req, res, { id, pid }, url) => {
    await api.authorize(req, url, id as string);
    const p = await api.withRoom(id as string, async (room) =>
      refusals(res, async () => proposals.get(room, pid as string)),
    );
    sendJson(res, 200, p);
  });

  router.on("POST", `${base}/:pid/stop`, async (req, res, { id, pid }, url) => {
    await api.authorize(req, url, id as string, "edit-plan", "stop an auto-balance");
    const p = await api.withRoom(id as string, (room) => refusals(res, () => proposals.stop(room, pid as string)));
    sendJson(res, 200, p);
  });

  router.on("DELETE", `${base}/:pid`, async (req, res, { id, pid }, url) => {
    await api.authorize(req, url, id as string, "edit-plan", "discard a proposal");
    const p = await api.withRoom(id as string, (room) => refusals(res, () => proposals.discard(room, pid as string)));
    sendJson(res, 200, { id: p.id, status: p.status });
  });

  router.on("POST", `${base}/:pid/accept`, async (req, res, { id, pid }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "accept a proposal", { scoped: true });
    const answer = await api.withRoom(id as string, async (room) => {
      const scope = caller.scope;
      if (scope) {
        // A scoped link accepts only a proposal whose every move stays inside its scope.
        const p = await refusals(res, async () => proposals.get(room, pid as string));
        const touched = new Set<string>();
        for (const m of p.moves ?? []) for (const t of [m.from, m.to]) if (t) touched.add(t);
        const outside = outsideScope(scope, touched, room.doc);
        if (outside.length > 0) {
          throw new HttpError(
            403,
            `Refused: this proposal moves units of ${outside.slice(0, 5).join(", ")}, outside the territories your link may edit; ask a manager with a full edit link.`,
            { territories: outside, reason: "outside" },
          );
        }
      }
      return refusals(res, () => proposals.accept(room, pid as string, caller.actor));
    });
    sendJson(res, 200, answer);
  });

  router.on("POST", `${base}/:pid/undo`, async (req, res, { id, pid }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "take a proposal back");
    const answer = await api.withRoom(id as string, (room) =>
      refusals(res, () => proposals.undo(room, pid as string, caller.actor)),
    );
    sendJson(res, 200, answer);
  });
}

/** Runs `fn`; a proposal's refusal becomes its HTTP answer (a busy server's with Retry-After). */
async function refusals<T>(res: ServerResponse, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ProposalError)) throw e;
    const retryAfter = e.details?.retryAfter;
    if (typeof retryAfter === "number" && !res.headersSent) res.setHeader("retry-after", String(retryAfter));
    throw new HttpError(e.status, e.message, e.details);
  }
}
