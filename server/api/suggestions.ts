import type { IncomingMessage, ServerResponse } from "node:http";
import { outsideScope } from "../../shared/access/scope.ts";
import { COMMENT_LIMITS, validateCommentText } from "../../shared/comments/comments.ts";
import { ID_PATTERN } from "../../shared/ids.ts";
import { MAX_VERTICES_PER_TERRITORY } from "../../shared/geometry/validate.ts";
import {
  parseSuggestionChange,
  SUGGESTION_LIMITS,
  SUGGESTION_STATUSES,
  type SuggestionStatus,
} from "../../shared/suggestions/suggestion.ts";
import { RateLimiter } from "../access/rate-limit.ts";
import type { Caller } from "../access/access.ts";
import { SuggestionError, type Suggestions } from "../suggestions/suggestions.ts";
import { type PlanApi, restOrigin } from "./context.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import type { Router } from "./router.ts";

/**
 * Room for the largest shape a territory may have (50,000 vertices, about
 * 45 bytes each as GeoJSON text), the text and the rest.
 */
const BODY_LIMIT = MAX_VERTICES_PER_TERRITORY * 48 + 64 * 1024;

/**
 * Suggestions over REST (issue 15; server/README.md documents each call):
 * a rep (comment link) or a manager suggests a change to a territory, any
 * link reads them, a manager accepts (one undoable step), declines with a
 * reply, or takes an accepted one back.
 */
export function suggestionRoutes(router: Router, api: PlanApi, suggestions: Suggestions): void {
  /** A manager's call that checks a scoped link's scope itself (refuseOutsideScope), so scoped links may make it. */
  const authorizeScoped = (req: IncomingMessage, url: URL, planId: string, action: string): Promise<Caller> =>
    api.authorize(req, url, planId, "edit-plan", action, { scoped: true });
  const base = "/api/plans/:id/suggestions";
  // Working out an effect costs the scoring worker a territory's recompute: a person gets a few a minute.
  const limiter = new RateLimiter(SUGGESTION_LIMITS.perMinute / 60, SUGGESTION_LIMITS.perMinute);

  router.on("POST", base, async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "comment", "suggest changes");
    const body = await readJson(req, BODY_LIMIT);
    const change = parseSuggestionChange(body);
    if (!change.ok) throw new HttpError(400, sentence(change.error));
    const rawText = (body as { text?: unknown }).text;
    const text = validateCommentText(rawText);
    if (!text.ok) {
      const tooLong = typeof rawText === "string" && rawText.trim().length > COMMENT_LIMITS.text;
      throw new HttpError(tooLong ? 413 : 400, sentence(text.error.replace("the comment", "the suggestion's comment")));
    }
    const wait = limiter.take(`${id}:${caller.tokenHash}:${caller.actor.id}`);
    if (wait > 0) {
      res.setHeader("retry-after", String(wait));
      throw new HttpError(
        429,
        `You have made ${SUGGESTION_LIMITS.perMinute} suggestions in a minute; try again in ${wait} s.`,
      );
    }
    const made = await api.withRoom(id as string, (room) =>
      refusals(res, () => suggestions.create(room, caller, restOrigin(req, caller), change.value, text.value)),
    );
    sendJson(res, 201, { ...made.suggestion, thread: made.thread });
  });

  router.on("GET", base, async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const status = url.searchParams.get("status");
    const territory = url.searchParams.get("territory");
    if (status !== null && status !== "all" && !SUGGESTION_STATUSES.includes(status as SuggestionStatus)) {
      throw new HttpError(400, "status must be open, accepted, declined, outdated or all.");
    }
    const list = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      return refusals(res, async () =>
        suggestions.list(room, {
          status: status === "all" ? null : (status as SuggestionStatus | null),
          territory,
        }),
      );
    });
    sendJson(res, 200, { suggestions: list });
  });

  router.on("GET", `${base}/:sid`, async (req, res, { id, sid }, url) => {
    await api.authorize(req, url, id as string);
    const s = await api.withRoom(id as string, async (room) =>
      refusals(res, async () => suggestions.get(room, checkedId(sid))),
    );
    sendJson(res, 200, s);
  });

  router.on("POST", `${base}/:sid/accept`, async (req, res, { id, sid }, url) => {
    const caller = await authorizeScoped(req, url, id as string, "accept a suggestion");
    const answer = await api.withRoom(id as string, (room) =>
      refusals(res, () =>
        suggestions.accept(room, caller, checkedId(sid), (territories) =>
          refuseOutsideScope(caller, territories, room.doc),
        ),
      ),
    );
    sendJson(res, 200, answer);
  });

  router.on("POST", `${base}/:sid/decline`, async (req, res, { id, sid }, url) => {
    const caller = await authorizeScoped(req, url, id as string, "decline a suggestion");
    const body = await readJson(req, 64 * 1024);
    const rawText = (body as { text?: unknown } | null)?.text;
    const text = validateCommentText(rawText);
    if (!text.ok) {
      const tooLong = typeof rawText === "string" && rawText.trim().length > COMMENT_LIMITS.text;
      throw new HttpError(tooLong ? 413 : 400, sentence(text.error.replace("the comment", "the reply")));
    }
    const s = await api.withRoom(id as string, (room) =>
      refusals(res, () => suggestions.decline(room, caller, restOrigin(req, caller), checkedId(sid), text.value)),
    );
    sendJson(res, 200, s);
  });

  router.on("POST", `${base}/:sid/undo`, async (req, res, { id, sid }, url) => {
    const caller = await authorizeScoped(req, url, id as string, "take a suggestion back");
    const answer = await api.withRoom(id as string, (room) =>
      refusals(res, () =>
        suggestions.undo(room, caller, checkedId(sid), (territories) =>
          refuseOutsideScope(caller, territories, room.doc),
        ),
      ),
    );
    sendJson(res, 200, answer);
  });
}

/**
 * The one place a scoped edit link (issue 15, shared/access/scope.ts) is
 * refused a suggestion that changes territories outside its scope: 403
 * naming them, before anything is written.
 */
function refuseOutsideScope(caller: Caller, territories: string[], doc: Parameters<typeof outsideScope>[2]): void {
  if (!caller.scope) return;
  const outside = outsideScope(caller.scope, territories, doc);
  if (outside.length === 0) return;
  throw new HttpError(
    403,
    `Your link edits only some territories, and this suggestion changes ${outside.length === 1 ? "a territory" : `${outside.length} territories`} outside them (${outside.slice(0, 5).join(", ")}). Ask a manager with a full edit link.`,
    { territories: outside },
  );
}

function checkedId(sid: string | undefined): string {
  if (!sid || !ID_PATTERN.test(sid)) throw new HttpError(404, "There is no such suggestion.");
  return sid;
}

/** Runs `fn`; a suggestion's refusal becomes its HTTP answer. */
async function refusals<T>(res: ServerResponse, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof SuggestionError)) throw e;
    if (res.headersSent) throw e;
    throw new HttpError(e.status, e.message, e.details);
  }
}

function sentence(s: string): string {
  const t = s.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${t.endsWith(".") ? "" : "."}`;
}
