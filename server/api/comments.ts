import type { IncomingMessage } from "node:http";
import type * as Y from "yjs";
import {
  type CommentAction,
  type CommentThread,
  COMMENT_LIMITS,
  commentPermission,
  validateCommentPlace,
  validateCommentText,
} from "../../shared/comments/comments.ts";
import {
  commentsMap,
  isUnitPlan,
  readTerritories,
  readTerritoryProps,
  readThread,
  readThreads,
  territoriesMap,
  writeThread,
} from "../../shared/doc/schema.ts";
import { territoryAt } from "../../shared/geometry/locate.ts";
import { ID_PATTERN, newId } from "../../shared/ids.ts";
import type { Caller } from "../access/access.ts";
import { type PlanApi, restOrigin } from "./context.ts";
import { HttpError, readJson, sendJson } from "./http.ts";
import type { Router } from "./router.ts";

const BODY_LIMIT = 64 * 1024;

/**
 * Comment threads. The server writes them into the plan document on the
 * caller's behalf, after checking what their link and identity allow, and
 * they reach everyone live through sync.
 */
export function commentRoutes(router: Router, api: PlanApi): void {
  router.on("GET", "/api/plans/:id/comments", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const status = url.searchParams.get("status");
    const territory = url.searchParams.get("territory");
    if (status !== null && !["open", "resolved", "all"].includes(status)) {
      throw new HttpError(400, "status must be open, resolved or all.");
    }
    const threads = await api.withRoom(id as string, async (room) => {
      await room.whenDurable();
      return readThreads(room.doc).filter(
        (t) =>
          (status === "open" ? !t.resolved : status === "resolved" ? t.resolved !== null : true) &&
          (territory === null || t.territoryId === territory),
      );
    });
    sendJson(res, 200, { threads });
  });

  router.on("POST", "/api/plans/:id/comments", async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "comment", "comment");
    const body = await readObject(req);
    const text = validateCommentText(body.text);
    if (!text.ok) throw textRefused(body.text, text.error);
    const at = validateCommentPlace(body.at);
    if (!at.ok) throw new HttpError(400, sentence(at.error));
    if (body.territoryId !== undefined && body.territoryId !== null && typeof body.territoryId !== "string") {
      throw new HttpError(400, "territoryId must be a territory id or null.");
    }
    const thread = await api.withRoom(id as string, async (room) => {
      if (commentsMap(room.doc).size >= COMMENT_LIMITS.threads) {
        throw new HttpError(413, `This plan has reached its limit of ${COMMENT_LIMITS.threads} comment threads.`);
      }
      let territoryId: string | null;
      if (typeof body.territoryId === "string") {
        if (!territoriesMap(room.doc).has(body.territoryId)) {
          throw new HttpError(400, `There is no territory "${body.territoryId.slice(0, 64)}" in this plan.`);
        }
        territoryId = body.territoryId;
      } else if (body.territoryId === null) {
        territoryId = null;
      } else {
        // A unit plan's territories have no drawn shape: the unit under the pin says whose it is.
        territoryId = isUnitPlan(room.doc)
          ? api.ctx.units.territoryAt(room, at.value)
          : territoryAt(readTerritories(room.doc), at.value);
      }
      const now = new Date().toISOString();
      const created: CommentThread = {
        id: newId(12),
        author: caller.actor,
        text: text.value,
        createdAt: now,
        editedAt: null,
        at: at.value,
        territoryId,
        resolved: null,
        replies: [],
      };
      await room.change(restOrigin(req, caller), (doc) => writeThread(doc, created));
      record(api, id as string, "comment-added", caller, created, room.doc, text.value);
      return created;
    });
    sendJson(res, 201, thread);
  });

  router.on("POST", "/api/plans/:id/comments/:threadId/replies", async (req, res, { id, threadId }, url) => {
    const caller = await api.authorize(req, url, id as string, "comment", "reply to comments");
    const body = await readObject(req);
    const text = validateCommentText(body.text);
    if (!text.ok) throw textRefused(body.text, text.error);
    const thread = await changeThread(api, req, caller, id as string, threadId as string, "reply", (t) => {
      if (t.replies.length >= COMMENT_LIMITS.replies) {
        throw new HttpError(413, `This thread has reached its limit of ${COMMENT_LIMITS.replies} replies.`);
      }
      const now = new Date().toISOString();
      return {
        ...t,
        replies: [
          ...t.replies,
          { id: newId(12), author: caller.actor, text: text.value, createdAt: now, editedAt: null },
        ],
      };
    });
    sendJson(res, 201, thread);
  });

  router.on("PATCH", "/api/plans/:id/comments/:threadId", async (req, res, { id, threadId }, url) => {
    const caller = await api.authorize(req, url, id as string, "comment", "change comments");
    const body = await readObject(req);
    for (const key of Object.keys(body)) {
      if (key !== "text" && key !== "resolved")
        throw new HttpError(400, `Unknown field "${key.slice(0, 40)}"; send text and/or resolved.`);
    }
    if (body.resolved !== undefined && typeof body.resolved !== "boolean") {
      throw new HttpError(400, "resolved must be true or false.");
    }
    const text = body.text === undefined ? null : validateCommentText(body.text);
    if (text && !text.ok) throw textRefused(body.text, text.error);
    if (!text && body.resolved === undefined) throw new HttpError(400, "Send text and/or resolved.");
    const thread = await changeThread(api, req, caller, id as string, threadId as string, null, (t) => {
      let next = t;
      if (text?.ok && text.value !== t.text) {
        deny(commentPermission(caller.actor, "edit", t));
        next = { ...next, text: text.value, editedAt: new Date().toISOString() };
      }
      if (body.resolved !== undefined && body.resolved !== (t.resolved !== null)) {
        deny(commentPermission(caller.actor, body.resolved ? "resolve" : "reopen", t));
        next = { ...next, resolved: body.resolved ? { by: caller.actor, at: new Date().toISOString() } : null };
      }
      return next;
    });
    sendJson(res, 200, thread);
  });

  router.on(
    "PATCH",
    "/api/plans/:id/comments/:threadId/replies/:replyId",
    async (req, res, { id, threadId, replyId }, url) => {
      const caller = await api.authorize(req, url, id as string, "comment", "change comments");
      const body = await readObject(req);
      const text = validateCommentText(body.text);
      if (!text.ok) throw textRefused(body.text, text.error);
      const thread = await changeThread(api, req, caller, id as string, threadId as string, null, (t) => {
        const reply = t.replies.find((r) => r.id === replyId);
        if (!reply) throw new HttpError(404, "There is no such reply in this thread.");
        deny(commentPermission(caller.actor, "edit", t, reply));
        // A reply saying what became of a suggestion (issue 15) is the server's record, not anyone's words.
        if (reply.event && reply.event.kind !== "suggestion-declined" && reply.event.kind !== "suggestion-redrawn") {
          throw new HttpError(403, "This reply records what became of the suggestion; it cannot be edited.");
        }
        return {
          ...t,
          replies: t.replies.map((r) =>
            r.id === replyId ? { ...r, text: text.value, editedAt: new Date().toISOString() } : r,
          ),
        };
      });
      sendJson(res, 200, thread);
    },
  );
}

/** Reads, checks and rewrites one thread inside the plan's room; records the feed entry. */
async function changeThread(
  api: PlanApi,
  req: IncomingMessage,
  caller: Caller,
  planId: string,
  threadId: string,
  action: CommentAction | null,
  fn: (thread: CommentThread) => CommentThread,
): Promise<CommentThread> {
  if (!ID_PATTERN.test(threadId)) throw new HttpError(404, "There is no such comment thread.");
  return api.withRoom(planId, async (room) => {
    const thread = readThread(room.doc, threadId);
    if (!thread) throw new HttpError(404, "There is no such comment thread.");
    if (action) deny(commentPermission(caller.actor, action, thread));
    const next = fn(thread);
    if (next === thread) return thread;
    await room.change(restOrigin(req, caller), (doc) => writeThread(doc, next));
    if (next.replies.length > thread.replies.length) {
      record(api, planId, "comment-replied", caller, next, room.doc, next.replies[next.replies.length - 1]?.text ?? "");
    }
    if (next.resolved && !thread.resolved) record(api, planId, "comment-resolved", caller, next, room.doc, next.text);
    if (!next.resolved && thread.resolved) record(api, planId, "comment-reopened", caller, next, room.doc, next.text);
    return next;
  });
}

function record(
  api: PlanApi,
  planId: string,
  kind: "comment-added" | "comment-replied" | "comment-resolved" | "comment-reopened",
  caller: Caller,
  thread: CommentThread,
  doc: Y.Doc,
  text: string,
): void {
  const territory = thread.territoryId ? readTerritoryProps(doc, thread.territoryId) : null;
  const [lon, lat] = thread.at;
  const pad = 0.05;
  api.ctx.activity.get(planId)?.record({
    kind,
    actor: caller.actor,
    commentId: thread.id,
    ...(territory && thread.territoryId ? { territoryId: thread.territoryId, territoryName: territory.name } : {}),
    box: [lon - pad, lat - pad, lon + pad, lat + pad],
    details: { excerpt: text.length > 140 ? `${text.slice(0, 139)}…` : text },
  });
}

function deny(problem: string | null): void {
  if (problem) throw new HttpError(403, problem);
}

async function readObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJson(req, BODY_LIMIT);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'Send a JSON object like {"text": "…"}.');
  }
  return body as Record<string, unknown>;
}

/** 413 when the text is over the length limit, 400 for any other problem. */
function textRefused(input: unknown, error: string): HttpError {
  const tooLong = typeof input === "string" && input.trim().length > COMMENT_LIMITS.text;
  return new HttpError(tooLong ? 413 : 400, sentence(error));
}

function sentence(s: string): string {
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}
