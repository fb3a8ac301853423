import type { IncomingMessage, ServerResponse } from "node:http";
import { ROLES, type Role } from "../../shared/access/roles.ts";
import { LIMITS } from "../../shared/doc/territory.ts";
import { newId } from "../../shared/ids.ts";
import { tokenOf } from "../access/access.ts";
import { clientAddress } from "../access/client-address.ts";
import { RateLimiter } from "../access/rate-limit.ts";
import { isAdminToken, newAccess, shareLink } from "../access/tokens.ts";
import type { ScenarioOrigin } from "../../shared/scenarios/scenario.ts";
import type { PlanMeta, PlanStore } from "../persistence/store.ts";
import { noSuchPlan, type PlanApi } from "./context.ts";
import { HttpError, linkOrigin, readJson, sendJson } from "./http.ts";
import type { Router } from "./router.ts";

/**
 * Makes a plan with its three share links: the one way plans are made
 * (`POST /api/plans`, a new scenario), so links are made in one place.
 * Resolves once it is on disk, with the links to hand out (the only time
 * their tokens are shown).
 */
export async function createPlanWithLinks(
  store: PlanStore,
  origin: string,
  fields: { name: string; origin?: ScenarioOrigin },
): Promise<{ meta: PlanMeta; links: Record<Role, string> }> {
  const { access, tokens } = newAccess();
  const meta: PlanMeta = {
    id: newId(12),
    name: fields.name,
    createdAt: new Date().toISOString(),
    access,
    ...(fields.origin ? { origin: fields.origin } : {}),
  };
  await store.createPlan(meta);
  const links = Object.fromEntries(ROLES.map((r) => [r, shareLink(origin, meta.id, tokens[r])])) as Record<
    Role,
    string
  >;
  return { meta, links };
}

/** Plans made per client address and hour without ADMIN_TOKEN (PLANS_PER_HOUR), one limiter per server. */
const creationLimits = new WeakMap<object, RateLimiter>();

/**
 * Counts a plan made from the caller's address (`POST /api/plans`, a new
 * scenario: a scenario is a plan too) against PLANS_PER_HOUR when the
 * server has no ADMIN_TOKEN; 429 with Retry-After beyond it.
 */
export function admitPlanCreation(api: PlanApi, req: IncomingMessage, res: ServerResponse): void {
  const { config } = api.ctx;
  if (config.adminToken) return;
  let limiter = creationLimits.get(api.ctx);
  if (!limiter) {
    limiter = new RateLimiter(config.plansPerHour / 3600, Math.max(1, config.plansPerHour));
    creationLimits.set(api.ctx, limiter);
  }
  const wait = limiter.take(clientAddress(req, config.trustProxy));
  if (wait > 0) {
    res.setHeader("retry-after", String(wait));
    throw new HttpError(429, `Too many plans created from your address; try again in ${Math.ceil(wait / 60)} min.`);
  }
}

/** Plans and people (share links: links.ts). */
export function planRoutes(router: Router, api: PlanApi): void {
  const { store, config } = api.ctx;
  const demoCopies = new RateLimiter(config.demoCopiesPerHour / 3600, Math.max(1, config.demoCopiesPerHour));

  router.on("POST", "/api/plans", async (req, res, _params, url) => {
    if (config.adminToken) {
      const sent = tokenOf(req, url);
      if (!sent) throw new HttpError(401, "Creating plans on this server needs the administrator's token.");
      if (!isAdminToken(config.adminToken, sent))
        throw new HttpError(403, "That is not this server's administrator token.");
    } else {
      admitPlanCreation(api, req, res);
    }
    const body = (await readJson(req, 64 * 1024)) as { name?: unknown };
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'Send a JSON object like {"name": "Java 2027"}.');
    }
    let name = "Untitled plan";
    if (body.name !== undefined) {
      if (typeof body.name !== "string" || body.name.trim().length === 0 || body.name.length > LIMITS.name) {
        throw new HttpError(400, `The plan name must be text of 1–${LIMITS.name} characters.`);
      }
      name = body.name.trim();
    }
    const { meta, links } = await createPlanWithLinks(store, linkOrigin(req, config), { name });
    sendJson(res, 201, { id: meta.id, name: meta.name, createdAt: meta.createdAt, links });
  });

  router.on("GET", "/api/plans/:id", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string);
    const { meta, role } = caller;
    // A scenario says what it is a scenario of, under the origin's name now (issue 14).
    const origin = meta.origin ? await api.ctx.scenarios.originNow(meta.origin) : undefined;
    sendJson(res, 200, {
      id: meta.id,
      name: meta.name,
      createdAt: meta.createdAt,
      role,
      you: caller.actor,
      ...(origin ? { origin } : {}),
    });
  });

  /**
   * A person for a browser to keep: a public id and the secret that proves
   * it (server/access/people.ts). Comments are "their own" only for callers
   * that send both.
   */
  router.on("POST", "/api/people", async (_req, res) => {
    sendJson(res, 201, api.ctx.people.issue());
  });

  /**
   * A fresh copy of the demo plan for the caller, with its own three links:
   * no edit link of a shared plan is ever handed out.
   */
  router.on("GET", "/api/demo", async (req, res) => {
    const demo = api.ctx.demo;
    if (!demo) throw new HttpError(404, "This server has no demo plan (it starts with SEED_DEMO=0).");
    const origin = linkOrigin(req, config);
    const wait = demoCopies.take(clientAddress(req, config.trustProxy));
    if (wait > 0) {
      res.setHeader("retry-after", String(wait));
      throw new HttpError(
        429,
        `Too many copies of the demo made from your address; reopen the one you have, or try again in ${Math.ceil(wait / 60)} min.`,
      );
    }
    const copy = await demo.make();
    sendJson(res, 200, {
      id: copy.id,
      name: copy.name,
      createdAt: copy.createdAt,
      links: Object.fromEntries(ROLES.map((r) => [r, shareLink(origin, copy.id, copy.tokens[r])])),
    });
  });

  /** Deletes a plan for good: its sockets are closed (4404), its stored data removed. */
  router.on("DELETE", "/api/plans/:id", async (req, res, { id }, url) => {
    const { meta } = await api.authorize(req, url, id as string, "delete-plan", "delete this plan");
    if (!(await api.ctx.deletePlan(id as string))) {
      throw noSuchPlan(id as string);
    }
    // A scenario leaves its origin's list (issue 14); an origin's scenarios stay, with their own links.
    if (meta.origin) await api.ctx.scenarios.forget(meta.origin.plan, meta.id);
    res.writeHead(204).end();
  });

  router.on("GET", "/api/plans/:id/activity", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const q = url.searchParams;
    const before = q.has("before") ? Number(q.get("before")) : undefined;
    const limit = q.has("limit") ? Number(q.get("limit")) : undefined;
    if ((before !== undefined && !Number.isInteger(before)) || (limit !== undefined && !Number.isInteger(limit))) {
      throw new HttpError(400, "before and limit must be whole numbers.");
    }
    const page = await api.withRoom(id as string, async () => {
      const feed = api.ctx.activity.get(id as string);
      if (!feed) throw new HttpError(503, "The activity feed is loading; try again shortly.");
      return feed.page({
        before,
        limit,
        person: q.get("person") ?? undefined,
        territory: q.get("territory") ?? undefined,
      });
    });
    sendJson(res, 200, page);
  });
}
