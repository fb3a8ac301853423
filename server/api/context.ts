import type { IncomingMessage } from "node:http";
import type { Permission } from "../../shared/access/roles.ts";
import type { Origin } from "../../shared/doc/origins.ts";
import type { AnalysisMessage } from "../../shared/protocol/analysis.ts";
import { anonymousId } from "../../shared/comments/comments.ts";
import {
  actorOf,
  type Caller,
  checkAccess,
  headerValue,
  permissionProblem,
  planWithLinks,
  tokenOf,
} from "../access/access.ts";
import { hashToken, isAdminToken, tokenProblemMessage } from "../access/tokens.ts";
import type { PersonKey } from "../access/people.ts";
import type { LinkScopes } from "../access/scopes.ts";
import type { Activity } from "../activity/activity.ts";
import type { Proposals } from "../balance/proposals.ts";
import type { Suggestions } from "../suggestions/suggestions.ts";
import type { Versions } from "../versions/versions.ts";
import type { Scenarios } from "../scenarios/scenarios.ts";
import type { DemoCopies } from "../demo/copies.ts";
import type { ServerConfig } from "../config.ts";
import type { PlanMeta, PlanStore } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import type { Rooms } from "../rooms/rooms.ts";
import type { Jobs } from "../jobs/jobs.ts";
import type { Scoring } from "../scoring/scoring.ts";
import type { Units } from "../units/units.ts";
import { HttpError } from "./http.ts";
import { storageHttpError } from "./storage-errors.ts";
import { logger } from "../ops/log.ts";

const apiLog = logger("api");

/** The name the activity feed gives a caller holding the server's ADMIN_TOKEN. */
const ADMINISTRATOR = "Server administrator";

/** The 404 for a plan id that names no plan (or one being deleted). */
export function noSuchPlan(planId: string): HttpError {
  return new HttpError(404, `There is no plan "${planId.slice(0, 64)}".`);
}

export interface ApiContext {
  store: PlanStore;
  rooms: Rooms;
  config: ServerConfig;
  scoring: Scoring;
  activity: Activity;
  /** Plans' unit layers (issue 12). */
  units: Units;
  /** Heavy work off the event loop (unit layers, the demo). */
  jobs: Jobs;
  /** Auto-balance's proposals (issue 13). */
  proposals: Proposals;
  /** Suggestions (issue 15). */
  suggestions: Suggestions;
  /** Versions and checkpoints (issue 14). */
  versions: Versions;
  /** Scenarios of plans, and promoting them (issue 14). */
  scenarios: Scenarios;
  /** Closes every open socket of a plan opened with this token hash; returns how many. */
  cutOff(planId: string, tokenHash: string): number;
  /** Scoped links' live scopes (issue 15). */
  scopes: LinkScopes;
  /** Checks person secrets (`X-Wilayah-Person-Secret`). */
  people: PersonKey;
  /** Copies of the demo; null when the server has no demo (SEED_DEMO=0). */
  demo: DemoCopies | null;
  /** Closes a plan's sockets and rooms and removes it; false when it did not exist. */
  deletePlan(planId: string): Promise<boolean>;
  /** Whether a plan is being deleted right now (it answers 404 meanwhile). */
  isDeleting(planId: string): boolean;
}

/** What every plan endpoint does first: who is calling, may they, and the plan's room. */
export class PlanApi {
  constructor(readonly ctx: ApiContext) {}

  /**
   * The caller of a plan endpoint: 404 when the plan does not exist, 401
   * without a valid token for it (body `reason`: missing, invalid or
   * revoked, so a UI can tell a replaced link from a wrong one), 403 when the
   * link's role may not do `permission`.
   *
   * A scoped edit link (issue 15) may do nothing that needs a permission
   * beyond commenting (`403 {error, planWide: true}`: imports, versions,
   * links, plan settings…) unless the endpoint says it checks the scope
   * itself (`scoped: true`, with `caller.scope`): an endpoint that does not
   * know about scopes is plan-wide by default.
   */
  async authorize(
    req: IncomingMessage,
    url: URL,
    planId: string,
    permission?: Permission,
    action = "do this",
    opts: { scoped?: boolean } = {},
  ): Promise<Caller> {
    const token = tokenOf(req, url);
    const access = this.ctx.isDeleting(planId)
      ? ({ ok: false, status: 404 } as const)
      : await checkAccess(this.ctx.store, planId, token);
    if (!access.ok) {
      if (access.status === 404) throw noSuchPlan(planId);
      if (access.status === 500) throw unreadable(planId, access.error);
      const reason = access.reason ?? "invalid";
      throw new HttpError(401, tokenProblemMessage(reason), { reason });
    }
    if (permission) {
      const problem = permissionProblem(access.role, permission, action);
      if (problem) throw new HttpError(403, problem, { role: access.role });
    }
    const scope = this.ctx.scopes.testOf(planId, access.link);
    if (scope && permission && permission !== "comment" && permission !== "moderate-comments" && !opts.scoped) {
      throw new HttpError(
        403,
        `Your link edits only some territories (${access.link?.label}), so you cannot ${action}: that changes the whole plan. Ask a manager with a full edit link.`,
        { role: access.role, planWide: true },
      );
    }
    return {
      meta: access.meta,
      role: access.role,
      // A person id counts only with its secret; without, the caller is anonymous ("API client").
      actor: actorOf(
        access.role,
        this.ctx.people.verify(headerValue(req, "x-wilayah-person"), headerValue(req, "x-wilayah-person-secret")),
        headerValue(req, "x-wilayah-name"),
      ),
      tokenHash: hashToken(token ?? ""),
      link: access.link,
      scope,
    };
  }

  /**
   * The caller of an endpoint that also takes the server's `ADMIN_TOKEN`
   * (replacing a share link: the way back into a plan whose edit link is
   * lost): the administrator, acting as an anonymous editor named "Server
   * administrator", else whoever {@link authorize} finds.
   */
  async authorizeOrAdmin(req: IncomingMessage, url: URL, planId: string, permission: Permission, action: string) {
    if (!isAdminToken(this.ctx.config.adminToken, tokenOf(req, url))) {
      return this.authorize(req, url, planId, permission, action);
    }
    let meta: PlanMeta | null;
    try {
      meta = this.ctx.isDeleting(planId) ? null : await planWithLinks(this.ctx.store, planId);
    } catch (e) {
      throw unreadable(planId, e);
    }
    if (!meta) throw noSuchPlan(planId);
    const caller: Caller = {
      meta,
      role: "edit",
      actor: { id: anonymousId("edit"), name: ADMINISTRATOR, role: "edit" },
      tokenHash: hashToken(""),
      link: null,
      scope: null,
    };
    return caller;
  }

  /** Runs `fn` on the plan's main room, keeping it loaded meanwhile. */
  async withRoom<T>(planId: string, fn: (room: Room) => Promise<T>): Promise<T> {
    let room: Room;
    try {
      room = await this.ctx.rooms.acquire({ planId, part: "" });
    } catch (e) {
      throw unreadable(planId, e);
    }
    return this.ctx.rooms.with(room.address, fn);
  }

  /** The analysis including every change made so far; 503 when scoring is off. */
  async analysisOf(room: Room): Promise<AnalysisMessage> {
    const plan = this.ctx.scoring.get(room.address.planId);
    if (!plan) throw new HttpError(503, "Scoring is not running for this plan; try again shortly.");
    return plan.current();
  }
}

/** The answer when a plan cannot be loaded: 503 for damage or a full or read-only disk, else 500. */
export function unreadable(planId: string, e: unknown): HttpError {
  const storage = storageHttpError(e);
  if (storage) return storage;
  apiLog.error({ planId, err: e }, "the plan could not be loaded");
  return new HttpError(
    500,
    "This plan's stored data could not be read. It has been left untouched; the server log says why.",
  );
}

/** The origin of a REST change: which call, and who made it (for the activity feed). */
export function restOrigin(req: IncomingMessage, caller: Caller): Origin {
  return { kind: "rest", method: req.method ?? "", path: (req.url ?? "").split("?")[0] ?? "", actor: caller.actor };
}
