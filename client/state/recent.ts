/** Plans this browser opened, newest first, kept in localStorage. */

export interface RecentPlan {
  id: string;
  name: string;
  /** The path with its query (`/plan/x?token=…`) so the same link (and role) opens again. */
  href: string;
  openedAt: number;
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
      .slice(0, MAX);
  } catch {
    return [];
  }
}

/** Records a visit: moves the plan to the top, updating its name (the newest seen wins). */
export function rememberPlan(
  plan: { id: string; name: string; href: string },
  now = Date.now(),
  storage: Pick<Storage, "getItem" | "setItem"> = localStorage,
): RecentPlan[] {
  const list = loadRecent(storage).filter((p) => p.id !== plan.id);
  const previous = loadRecent(storage).find((p) => p.id === plan.id);
  list.unshift({ ...plan, name: plan.name || previous?.name || "", openedAt: now });
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
