/**
 * The copy of the demo plan this browser was given. Every `GET /api/demo`
 * makes a new copy with its own links, so the landing page keeps the one it
 * got (in localStorage) and reopens it: the visitor's windows and tabs all
 * edit the same copy, together. A copy the server has since deleted (idle
 * for days) is forgotten and replaced by a new one.
 */

import type { Role } from "../../shared/access/roles.ts";

export interface DemoCopy {
  id: string;
  name: string;
  /** The copy's three share links (absolute URLs carrying `?token=`). */
  links: Record<Role, string>;
}

const KEY = "wilayah.demoCopy";

export function loadDemoCopy(storage: Pick<Storage, "getItem"> = localStorage): DemoCopy | null {
  try {
    const v = JSON.parse(storage.getItem(KEY) ?? "null") as Partial<DemoCopy> | null;
    if (!v || typeof v !== "object" || typeof v.id !== "string" || typeof v.name !== "string") return null;
    const links = v.links as Partial<Record<Role, unknown>> | undefined;
    if (!links || ![links.edit, links.comment, links.view].every((l) => typeof l === "string" && isPlanLink(l))) {
      return null;
    }
    return { id: v.id, name: v.name, links: links as Record<Role, string> };
  } catch {
    return null;
  }
}

export function saveDemoCopy(copy: DemoCopy, storage: Pick<Storage, "setItem"> = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify({ id: copy.id, name: copy.name, links: copy.links }));
  } catch {
    // Storage blocked: the next click makes another copy.
  }
}

export function forgetDemoCopy(storage: Pick<Storage, "removeItem"> = localStorage): void {
  try {
    storage.removeItem(KEY);
  } catch {
    // ignore
  }
}

/** An absolute http(s) link to a plan page, as the server hands out. */
function isPlanLink(link: string): boolean {
  try {
    const u = new URL(link);
    return (u.protocol === "http:" || u.protocol === "https:") && u.pathname.startsWith("/plan/");
  } catch {
    return false;
  }
}

/** The token of a share link, or null. */
export function tokenOfLink(link: string): string | null {
  try {
    return new URL(link).searchParams.get("token");
  } catch {
    return null;
  }
}
