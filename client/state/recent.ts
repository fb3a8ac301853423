/** Plans this browser opened, newest first, kept in localStorage. */

import { isRole, type Role } from "../../shared/access/roles.ts";

/**
 * The share links this browser knows for a plan, by role. The server keeps
 * tokens hashed and can never show a link again, so the browser that created
 * the plan (or replaced a link) is the only place they are written down.
 */
export type KnownLinks = Partial<Record<Role, string>>;

export interface RecentPlan {
  id: string;
  name: string;
  /** The path with its query (`/plan/x?token=…`) so the same link (and role) opens again. */
  href: string;
  openedAt: number;
  links?: KnownLinks;
  /** A scenario (issue 14): its origin's name, so the list marks it. */
  scenarioOf?: string;
}

const KEY = "wilayah.recentPlans";
const MAX = 12;

export function loadRecent(storage: Pick<Storage, "getItem"> = localStorage): RecentPlan[] {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? "[]") as unknown;
    if (!Array.isArray(value)) return [];
    return value
      .filter(
        (p): p is RecentPlan =>
          typeof p === "object" &&
          p !== null &&
          typeof p.id === "string" &&
          typeof p.name === "string" &&
          typeof p.href === "string" &&
          p.href.startsWith("/plan/") &&
          typeof p.openedAt === "number",
      )
      .slice(0, MAX)
      .map((p) => {
        const links = cleanLinks(p.links);
        const { links: _drop, ...rest } = p;
        return links ? { ...rest, links } : rest;
      });
  } catch {
    return [];
  }
}

function cleanLinks(value: unknown): KnownLinks | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const out: KnownLinks = {};
  for (const [role, link] of Object.entries(value)) {
    if (isRole(role) && typeof link === "string" && /^https?:\/\//.test(link)) out[role] = link;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Records a visit: moves the plan to the top, updating its name (the newest
 * seen wins). Links given are added to the ones already known (a newer link
 * of a role replaces the older one).
 */
export function rememberPlan(
  plan: { id: string; name: string; href: string; links?: KnownLinks; scenarioOf?: string },
  now = Date.now(),
  storage: Pick<Storage, "getItem" | "setItem"> = localStorage,
): RecentPlan[] {
  const list = loadRecent(storage).filter((p) => p.id !== plan.id);
  const previous = loadRecent(storage).find((p) => p.id === plan.id);
  const links = cleanLinks({ ...previous?.links, ...plan.links });
  const { links: _given, scenarioOf: _of, ...rest } = plan;
  const scenarioOf = plan.scenarioOf ?? previous?.scenarioOf;
  list.unshift({
    ...rest,
    name: plan.name || previous?.name || "",
    openedAt: now,
    ...(links ? { links } : {}),
    ...(typeof scenarioOf === "string" && scenarioOf ? { scenarioOf } : {}),
  });
  const next = list.slice(0, MAX);
  try {
    storage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Full or blocked storage: the list is a convenience.
  }
  return next;
}

export function forgetPlan(id: string, storage: Pick<Storage, "getItem" | "setItem"> = localStorage): RecentPlan[] {
  const next = loadRecent(storage).filter((p) => p.id !== id);
  try {
    storage.setItem(KEY, JSON.stringify(next));
  } catch {
    // ignore
  }
  return next;
}

/** The links this browser knows for a plan (none when it never created or shared it). */
/** A plan's share link for a token: the editor URL, whatever page (wall view) it was opened on. */
export function shareLinkOf(origin: string, planId: string, token: string): string {
  return `${origin}/plan/${encodeURIComponent(planId)}?token=${encodeURIComponent(token)}`;
}

export function knownLinks(id: string, storage: Pick<Storage, "getItem"> = localStorage): KnownLinks {
  return loadRecent(storage).find((p) => p.id === id)?.links ?? {};
}

/** Writes down a role's link (a replaced one, or the one this page was opened with), keeping the plan's place. */
export function rememberLink(
  id: string,
  role: Role,
  link: string,
  storage: Pick<Storage, "getItem" | "setItem"> = localStorage,
): KnownLinks {
  const list = loadRecent(storage);
  const plan = list.find((p) => p.id === id);
  if (!plan) return {};
  const links = cleanLinks({ ...plan.links, [role]: link }) ?? {};
  plan.links = links;
  try {
    storage.setItem(KEY, JSON.stringify(list));
  } catch {
    // ignore
  }
  return links;
}
