import { isRole, ROLES, type Role } from "../../shared/access/roles.ts";
import { type LinkScope, parseScope } from "../../shared/access/scope.ts";
import { territoriesMap } from "../../shared/doc/schema.ts";
import { LIMITS } from "../../shared/doc/territory.ts";
import {
  addLink,
  type LabelledLink,
  MAX_LABELLED_LINKS,
  removeLink,
  rotate,
  rotateLink,
  shareLink,
} from "../access/tokens.ts";
import type { PlanApi } from "./context.ts";
import { HttpError, linkOrigin, readJson, sendJson } from "./http.ts";
import type { Router } from "./router.ts";

/**
 * Share links (server/README.md, *Links*): the three role links, replaced
 * by rotating them, and labelled links a manager makes (issue 15), each
 * optionally scoped to some territories or a region, rotated and removed by
 * id. Only an unscoped edit link manages links.
 */
export function linkRoutes(router: Router, api: PlanApi): void {
  const { store, config } = api.ctx;

  /**
   * Makes a labelled link (issue 15), optionally scoped to some territories
   * or a region: `{role, label, scope?}` → `201 {id, role, label, scope,
   * createdAt, link}`, the only time its token is shown.
   */
  router.on("POST", "/api/plans/:id/links", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string, "manage-links", "make share links");
    const spec = parseLinkSpec(await readJson(req, 256 * 1024));
    if (spec.scope && "territories" in spec.scope) {
      const ids = spec.scope.territories;
      const unknown = await api.withRoom(id as string, async (room) =>
        ids.filter((t) => !territoriesMap(room.doc).has(t)),
      );
      if (unknown.length > 0) {
        throw new HttpError(400, `There is no territory ${unknown.slice(0, 5).join(", ")} in this plan.`, {
          territories: unknown,
        });
      }
    }
    const origin = linkOrigin(req, config);
    let made: { token: string; link: LabelledLink } | null = null;
    await store.updatePlan(id as string, (meta) => {
      if (!meta.access) return meta;
      if ((meta.access.labelled ?? []).length >= MAX_LABELLED_LINKS) return meta;
      const next = addLink(meta.access, spec);
      made = { token: next.token, link: next.link };
      return { ...meta, access: next.access };
    });
    if (!made) {
      throw new HttpError(413, `A plan holds at most ${MAX_LABELLED_LINKS} labelled links; remove one first.`);
    }
    const { token, link } = made as { token: string; link: LabelledLink };
    sendJson(res, 201, { ...listed(link), link: shareLink(origin, id as string, token) });
  });

  /**
   * The caller's own link: `{id, role, label, scope}` (a role link: its role
   * as id, no label, no scope). A scope by ids lists the territories its
   * holders drew since too, so the web client greys exactly what the server refuses.
   */
  router.on("GET", "/api/plans/:id/links/mine", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string);
    const link = caller.link;
    if (!link) {
      sendJson(res, 200, { id: caller.role, role: caller.role, label: null, scope: null });
      return;
    }
    const live = caller.scope;
    const scope = live?.ids ? { territories: [...live.ids] } : link.scope;
    sendJson(res, 200, { id: link.id, role: link.role, label: link.label, scope });
  });

  /** Every link of the plan, without tokens: the three role links, then the labelled ones. */
  router.on("GET", "/api/plans/:id/links", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "manage-links", "see the share links");
    const access = caller.meta.access;
    const roleLinks = ROLES.map((role) => ({
      id: role,
      role,
      label: null,
      scope: null,
      createdAt: access?.links[role].createdAt ?? null,
    }));
    sendJson(res, 200, { links: [...roleLinks, ...(access?.labelled ?? []).map(listed)] });
  });

  /**
   * Replaces one share link: a role link (`edit`, `comment`, `view`) or a
   * labelled link by its id, which keeps its label and scope. The old token
   * stops working at once: REST calls with it get 401 (reason "revoked") and
   * its open sockets are closed (4401).
   */
  router.on("POST", "/api/plans/:id/links/:role/rotate", async (req, res, { id, role }, url) => {
    // The server's ADMIN_TOKEN may too: the way back into a plan whose edit link nobody holds.
    const caller = await api.authorizeOrAdmin(req, url, id as string, "manage-links", "replace share links");
    const origin = linkOrigin(req, config);
    let token = "";
    let oldHash = "";
    let labelled: LabelledLink | null = null;
    if (isRole(role)) {
      await store.updatePlan(id as string, (meta) => {
        if (!meta.access) return meta;
        oldHash = meta.access.links[role].hash;
        const next = rotate(meta.access, role);
        token = next.token;
        return { ...meta, access: next.access };
      });
    } else {
      await store.updatePlan(id as string, (meta) => {
        const next = meta.access ? rotateLink(meta.access, role as string) : null;
        if (!next) return meta;
        ({ token, oldHash } = next);
        labelled = next.link;
        return { ...meta, access: next.access };
      });
      if (!labelled) throw noSuchLink(role as string);
    }
    const closed = await cutOffWithScenarios(api, id as string, oldHash);
    const found = labelled as LabelledLink | null;
    // The feed lives with the loaded plan: load it if nobody has it open.
    await api.withRoom(id as string, async () => {
      api.ctx.activity.get(id as string)?.record({
        kind: "link-rotated",
        actor: caller.actor,
        details: found ? { role: found.role, label: found.label } : { role: role as string },
      });
    });
    const link = shareLink(origin, id as string, token);
    if (found) sendJson(res, 200, { ...listed(found), link, closedSockets: closed });
    else sendJson(res, 200, { role, link, closedSockets: closed });
  });

  /** Stops a labelled link at once: its token answers 401 "revoked", its sockets are closed (4401). */
  router.on("DELETE", "/api/plans/:id/links/:linkId", async (req, res, { id, linkId }, url) => {
    await api.authorize(req, url, id as string, "manage-links", "remove share links");
    if (isRole(linkId)) {
      throw new HttpError(
        409,
        `The plan's ${linkId} link cannot be removed, only replaced (POST …/links/${linkId}/rotate).`,
      );
    }
    let removed: LabelledLink | null = null;
    await store.updatePlan(id as string, (meta) => {
      const next = meta.access ? removeLink(meta.access, linkId as string) : null;
      if (!next) return meta;
      removed = next.removed;
      return { ...meta, access: next.access };
    });
    const gone = removed as LabelledLink | null;
    if (!gone) throw noSuchLink(linkId as string);
    api.ctx.scopes.forget(id as string, gone.id);
    const closed = await cutOffWithScenarios(api, id as string, gone.hash);
    sendJson(res, 200, { id: gone.id, removed: true, closedSockets: closed });
  });
}

/** A labelled link as the API shows it: everything but its token's hash. */
function listed(l: LabelledLink) {
  return { id: l.id, role: l.role, label: l.label, scope: l.scope, createdAt: l.createdAt };
}

function noSuchLink(id: string): HttpError {
  return new HttpError(
    404,
    `There is no link "${id.slice(0, 64)}" in this plan; links are edit, comment, view or a labelled link's id.`,
  );
}

/** `{role, label, scope?}` of a new labelled link; 400 naming what is wrong. */
function parseLinkSpec(body: unknown): { role: Role; label: string; scope: LinkScope | null } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      'Send a JSON object like {"role": "edit", "label": "Jawa Barat", "scope": {"parent": "jabar"}}.',
    );
  }
  const b = body as Record<string, unknown>;
  if (!isRole(b.role)) throw new HttpError(400, "role must be edit, comment or view.");
  if (typeof b.label !== "string" || b.label.trim().length === 0 || b.label.length > LIMITS.name) {
    throw new HttpError(400, `label must be text of 1–${LIMITS.name} characters, saying whose link it is.`);
  }
  let scope: LinkScope | null = null;
  if (b.scope !== undefined && b.scope !== null) {
    if (b.role !== "edit") {
      throw new HttpError(400, "Only an edit link takes a scope: comment and view links change no territories.");
    }
    const parsed = parseScope(b.scope);
    if (!parsed.ok) throw new HttpError(400, `Bad scope: ${parsed.error}.`);
    scope = parsed.scope;
  }
  return { role: b.role, label: b.label.trim(), scope };
}

/** Closes the sockets opened with a token on the plan and on its scenarios, which its links open too (issue 14). */
async function cutOffWithScenarios(api: PlanApi, planId: string, tokenHash: string): Promise<number> {
  let closed = api.ctx.cutOff(planId, tokenHash);
  for (const scenario of await api.ctx.scenarios.ids(planId)) closed += api.ctx.cutOff(scenario, tokenHash);
  return closed;
}
