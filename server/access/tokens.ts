import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ROLES, type Role } from "../../shared/access/roles.ts";
import type { LinkScope } from "../../shared/access/scope.ts";
import { newId } from "../../shared/ids.ts";

/**
 * Share-link tokens. A token is 32 random bytes (256 bits) in base64url;
 * only its SHA-256 is stored. A fast hash is enough here (unlike passwords):
 * the token itself has 256 bits of entropy, so there is nothing to guess
 * from the hash, and it keeps every request's check to a microsecond.
 */
export interface LinkRecord {
  /** SHA-256 of the token, hex. */
  hash: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface RevokedLink {
  hash: string;
  role: Role;
  revokedAt: string;
  /** The labelled link it belonged to (absent for the three role links). */
  linkId?: string;
}

/**
 * A link a manager made with a label (issue 15), optionally scoped to some
 * territories or a region: "Jawa Barat's manager". Rotated and deleted by
 * its id; its holder's role is `role`, its reach `scope` (null: the whole plan).
 */
export interface LabelledLink extends LinkRecord {
  /** `l-…`, never a role name, so `…/links/:idOrRole/rotate` can tell them apart. */
  id: string;
  role: Role;
  label: string;
  scope: LinkScope | null;
}

/** Who may open a plan: one live token per role, the labelled links, and the tokens rotated away. */
export interface PlanAccess {
  links: Record<Role, LinkRecord>;
  /** Recently replaced tokens, so a person with an old link is told it was replaced (newest last). */
  revoked: RevokedLink[];
  /** Links made with a label (absent in plans from before issue 15). */
  labelled?: LabelledLink[];
}

/** Labelled links a plan may hold. */
export const MAX_LABELLED_LINKS = 100;

/** How many replaced tokens are remembered to say "revoked" rather than "invalid". */
const REMEMBER_REVOKED = 200;

/** Why a token gives no access: nothing sent, not this plan's, or replaced by a manager. */
export type TokenProblem = "missing" | "invalid" | "revoked";

export type TokenCheck =
  | {
      ok: true;
      role: Role;
      /** The labelled link the token opens; null for one of the three role links. */
      link: LabelledLink | null;
    }
  | { ok: false; reason: TokenProblem };

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Whether `sent` is the server's `ADMIN_TOKEN` (never when none is set),
 * compared in constant time over the two tokens' hashes.
 */
export function isAdminToken(adminToken: string | null, sent: string | null): boolean {
  if (!adminToken || !sent) return false;
  return timingSafeEqual(Buffer.from(hashToken(adminToken), "hex"), Buffer.from(hashToken(sent), "hex"));
}

/** Fresh tokens for every role: the access record to store and the tokens to hand out once. */
export function newAccess(now = new Date()): { access: PlanAccess; tokens: Record<Role, string> } {
  const tokens = {} as Record<Role, string>;
  const links = {} as Record<Role, LinkRecord>;
  for (const role of ROLES) {
    tokens[role] = newToken();
    links[role] = { hash: hashToken(tokens[role]), createdAt: now.toISOString() };
  }
  return { access: { links, revoked: [] }, tokens };
}

/** Replaces one role's token; the old one is remembered as revoked. Returns the new access and token. */
export function rotate(access: PlanAccess, role: Role, now = new Date()): { access: PlanAccess; token: string } {
  const token = newToken();
  const old = access.links[role];
  return {
    token,
    access: {
      ...access,
      links: { ...access.links, [role]: { hash: hashToken(token), createdAt: now.toISOString() } },
      revoked: revokedPlus(access, { hash: old.hash, role, revokedAt: now.toISOString() }),
    },
  };
}

/** Adds a labelled link; the new access, its token (shown once) and its record. */
export function addLink(
  access: PlanAccess,
  spec: { role: Role; label: string; scope: LinkScope | null },
  now = new Date(),
): { access: PlanAccess; token: string; link: LabelledLink } {
  const token = newToken();
  const link: LabelledLink = {
    id: `l-${newId(10)}`,
    role: spec.role,
    label: spec.label,
    scope: spec.scope,
    hash: hashToken(token),
    createdAt: now.toISOString(),
  };
  return { access: { ...access, labelled: [...(access.labelled ?? []), link] }, token, link };
}

/** Replaces a labelled link's token (its label and scope stay); null when there is no such link. */
export function rotateLink(
  access: PlanAccess,
  linkId: string,
  now = new Date(),
): { access: PlanAccess; token: string; oldHash: string; link: LabelledLink } | null {
  const old = access.labelled?.find((l) => l.id === linkId);
  if (!old) return null;
  const token = newToken();
  const link = { ...old, hash: hashToken(token), createdAt: now.toISOString() };
  return {
    token,
    oldHash: old.hash,
    link,
    access: {
      ...access,
      labelled: (access.labelled ?? []).map((l) => (l.id === linkId ? link : l)),
      revoked: revokedPlus(access, { hash: old.hash, role: old.role, revokedAt: now.toISOString(), linkId }),
    },
  };
}

/** Removes a labelled link: its token answers "revoked" from now on. Null when there is no such link. */
export function removeLink(
  access: PlanAccess,
  linkId: string,
  now = new Date(),
): { access: PlanAccess; removed: LabelledLink } | null {
  const removed = access.labelled?.find((l) => l.id === linkId);
  if (!removed) return null;
  return {
    removed,
    access: {
      ...access,
      labelled: (access.labelled ?? []).filter((l) => l.id !== linkId),
      revoked: revokedPlus(access, { hash: removed.hash, role: removed.role, revokedAt: now.toISOString(), linkId }),
    },
  };
}

function revokedPlus(access: PlanAccess, r: RevokedLink): RevokedLink[] {
  return [...access.revoked, r].slice(-REMEMBER_REVOKED);
}

/**
 * Which role (and labelled link) a token opens, comparing hashes in constant time.
 *
 * @example checkToken(access, undefined) // { ok: false, reason: "missing" }
 */
export function checkToken(access: PlanAccess, token: string | null | undefined): TokenCheck {
  if (!token) return { ok: false, reason: "missing" };
  if (token.length > 256) return { ok: false, reason: "invalid" };
  const hash = Buffer.from(hashToken(token), "hex");
  for (const role of ROLES) {
    if (timingSafeEqual(hash, Buffer.from(access.links[role].hash, "hex"))) return { ok: true, role, link: null };
  }
  for (const link of access.labelled ?? []) {
    if (timingSafeEqual(hash, Buffer.from(link.hash, "hex"))) return { ok: true, role: link.role, link };
  }
  const hex = hash.toString("hex");
  if (access.revoked.some((r) => r.hash === hex)) return { ok: false, reason: "revoked" };
  return { ok: false, reason: "invalid" };
}

/** A sentence for a refused token. */
export function tokenProblemMessage(reason: TokenProblem): string {
  switch (reason) {
    case "missing":
      return "This plan needs a share link: open it with the link a manager sent you (it ends in ?token=…).";
    case "invalid":
      return "This link does not open this plan. Check that it was copied whole, or ask a manager for a new one.";
    case "revoked":
      return "This link was replaced or stopped by a manager and no longer works. Ask them for a new link.";
  }
}

/** A plan's share link for a role. */
export function shareLink(origin: string, planId: string, token: string): string {
  return `${origin}/plan/${encodeURIComponent(planId)}?token=${encodeURIComponent(token)}`;
}
