import type { IncomingMessage } from "node:http";
import { can, forbiddenMessage, type Permission, type Role } from "../../shared/access/roles.ts";
import { anonymousId, type Author } from "../../shared/comments/comments.ts";
import { ID_PATTERN } from "../../shared/ids.ts";
import type { PlanMeta, PlanStore } from "../persistence/store.ts";
import type { ScopeTest } from "../../shared/access/scope.ts";
import { checkToken, type LabelledLink, newAccess, type TokenProblem } from "./tokens.ts";
import { logger } from "../ops/log.ts";

const accessLog = logger("access");

/** Who is calling: the plan, the role their link gives, and the name and id they sent. */
export interface Caller {
  meta: PlanMeta;
  role: Role;
  actor: Author;
  tokenHash: string;
  /** The labelled link the caller holds (null: one of the three role links). */
  link: LabelledLink | null;
  /** A scoped edit link's live scope (issue 15); null: the whole plan. */
  scope: ScopeTest | null;
}

export type AccessResult =
  | { ok: true; meta: PlanMeta; role: Role; link: LabelledLink | null }
  | { ok: false; status: 401 | 404 | 500; reason?: TokenProblem; error?: unknown };

/** The token of a request: `Authorization: Bearer …`, else `?token=…`. */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (typeof header === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1] as string;
  }
  return url.searchParams.get("token");
}

const NAME_MAX = 60;

/**
 * The person behind a request or socket: the id the server issued to their
 * browser, once its secret has proved it (`PersonKey.verify`: headers
 * `X-Wilayah-Person`/`-Person-Secret` on REST, `person`/`secret` query
 * parameters on sockets), and the name they typed (`X-Wilayah-Name`,
 * `name`). Without a proven id the caller is anonymous (`anon-<role>`),
 * which owns nothing. The share link's token is the authority for what the
 * caller may do, and the role always comes from it.
 */
export function actorOf(
  role: Role,
  verifiedPerson: string | null | undefined,
  name: string | null | undefined,
): Author {
  const person = verifiedPerson && ID_PATTERN.test(verifiedPerson) ? verifiedPerson : null;
  const id = person ?? anonymousId(role);
  let cleanName = "";
  if (name) {
    try {
      cleanName = decodeURIComponent(name).trim().slice(0, NAME_MAX);
    } catch {
      cleanName = name.trim().slice(0, NAME_MAX);
    }
  }
  return { id, name: cleanName || (person ? "Someone" : "API client"), role };
}

export function headerValue(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === "string" ? v : null;
}

/**
 * Checks a token against a plan. Plans made before share links existed get
 * their links now. Only their hashes are kept, and tokens are never written
 * to the log (issue 16), so the log names the plan and its links' ids only.
 */
export async function checkAccess(
  store: PlanStore,
  planId: string,
  token: string | null,
  viaOrigin = true,
): Promise<AccessResult> {
  let meta: PlanMeta | null;
  try {
    meta = await planWithLinks(store, planId);
  } catch (error) {
    return { ok: false, status: 500, error };
  }
  if (!meta) return { ok: false, status: 404 };
  const check = checkToken(meta.access as NonNullable<PlanMeta["access"]>, token);
  if (!check.ok) {
    // A scenario (issue 14) opens with its origin's links too, in the same role: the origin's people made it.
    if (viaOrigin && meta.origin && check.reason !== "missing") {
      const origin = await checkAccess(store, meta.origin.plan, token, false);
      if (origin.ok) return { ...origin, meta };
    }
    return { ok: false, status: 401, reason: check.reason };
  }
  return { ok: true, meta, role: check.role, link: check.link };
}

/**
 * A plan's record, with share links made first for a plan from before they
 * existed; null when there is no such plan. Nobody holds the new links' tokens,
 * so the log says how to get one: the server's `ADMIN_TOKEN` may replace a
 * plan's links (`POST /api/plans/:id/links/edit/rotate`).
 */
export async function planWithLinks(store: PlanStore, planId: string): Promise<PlanMeta | null> {
  const meta = await store.getPlan(planId);
  if (!meta || meta.access) return meta;
  const { access } = newAccess();
  const updated = await store.updatePlan(meta.id, (m) => (m.access ? m : { ...m, access }));
  if (updated.access === access) {
    accessLog.warn(
      { planId: meta.id, links: Object.keys(access.links) },
      "the plan had no share links (it was made before they existed); new ones were made, and their tokens are not logged: with ADMIN_TOKEN set, POST /api/plans/<id>/links/edit/rotate with it gives an edit link",
    );
  }
  return updated;
}

/** Null when `role` may do `permission`, else the sentence for a 403. */
export function permissionProblem(role: Role, permission: Permission, action: string): string | null {
  return can(role, permission) ? null : forbiddenMessage(role, action);
}
