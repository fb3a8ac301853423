import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ROLES, type Role } from "../../shared/access/roles.ts";

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
}

/** Who may open a plan: one live token per role, and the ones rotated away. */
export interface PlanAccess {
  links: Record<Role, LinkRecord>;
  /** Recently replaced tokens, so a person with an old link is told it was replaced (newest last). */
  revoked: RevokedLink[];
}

/** How many replaced tokens are remembered to say "revoked" rather than "invalid". */
const REMEMBER_REVOKED = 50;

/** Why a token gives no access: nothing sent, not this plan's, or replaced by a manager. */
export type TokenProblem = "missing" | "invalid" | "revoked";

export type TokenCheck = { ok: true; role: Role } | { ok: false; reason: TokenProblem };

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
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
      links: { ...access.links, [role]: { hash: hashToken(token), createdAt: now.toISOString() } },
      revoked: [...access.revoked, { hash: old.hash, role, revokedAt: now.toISOString() }].slice(-REMEMBER_REVOKED),
    },
  };
}

/**
 * Which role a token opens, comparing hashes in constant time.
 *
 * @example checkToken(access, undefined) // { ok: false, reason: "missing" }
 */
export function checkToken(access: PlanAccess, token: string | null | undefined): TokenCheck {
  if (!token) return { ok: false, reason: "missing" };
  if (token.length > 256) return { ok: false, reason: "invalid" };
  const hash = Buffer.from(hashToken(token), "hex");
  for (const role of ROLES) {
    if (timingSafeEqual(hash, Buffer.from(access.links[role].hash, "hex"))) return { ok: true, role };
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
      return "This link was replaced by a manager and no longer works. Ask them for the new link.";
  }
}

/** A plan's share link for a role. */
export function shareLink(origin: string, planId: string, token: string): string {
  return `${origin}/plan/${encodeURIComponent(planId)}?token=${encodeURIComponent(token)}`;
}
