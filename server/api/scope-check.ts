import { checkScope, type ScopeVerdict } from "../../shared/access/scope.ts";
import { emptyFootprint, type UpdateFootprint } from "../../shared/doc/check-update.ts";
import type { Caller } from "../access/access.ts";
import type { Room } from "../rooms/room.ts";
import type { PlanApi } from "./context.ts";
import { HttpError } from "./http.ts";

/** A footprint for a REST call, from the parts it changes (the rest empty). */
export function restFootprint(parts: Partial<UpdateFootprint>): UpdateFootprint {
  return { ...emptyFootprint(), ...parts };
}

/**
 * The scope check of a REST call by a scoped edit link (issue 15), with the
 * same rules as a socket's update (shared/access/scope.ts): 403 `{error,
 * territories, reason}` naming what it may not touch; nothing is changed.
 * Returns a function to call once the change is stored, which adds the
 * territories it created to a scope by ids. An unscoped caller passes.
 */
export function enforceScope(api: PlanApi, caller: Caller, room: Room, footprint: UpdateFootprint): () => void {
  if (!caller.scope || !caller.link) return () => {};
  const verdict: ScopeVerdict = checkScope(room.doc, footprint, caller.scope, api.ctx.scopes.contextOf(room));
  if (!verdict.ok) {
    const sentence = verdict.problem.replace(/^./, (c) => c.toUpperCase());
    throw new HttpError(403, `Refused: ${sentence}.`, { territories: verdict.territories, reason: verdict.reason });
  }
  const { link } = caller;
  return () => {
    if (verdict.adopted.length > 0) api.ctx.scopes.adopt(room.address.planId, link.id, verdict.adopted);
  };
}

/** Every field a territory has: what a new or replaced territory writes. */
export const ALL_FIELDS = ["name", "color", "reps", "targets", "parent", "geometry"] as const;
