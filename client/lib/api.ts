/** The REST API, as the client uses it. Errors carry the server's sentence. */

import type { CommentThread } from "../../shared/comments/comments.ts";
import type { Role } from "../../shared/access/roles.ts";
import { identityHeaders } from "./identity-headers.ts";

export interface PlanInfo {
  id: string;
  name: string;
  createdAt?: string | number;
  /** The caller's link role; absent from servers that predate roles (read as "edit"). */
  role?: Role;
  /** The caller as the server sees it (an `anon-…` id when the person's secret did not check out). */
  you?: { id: string; name: string; role: Role };
  /** A scenario's origin (issue 14), read with scenarios/parse.ts. */
  origin?: unknown;
}

export interface CreatedPlan {
  id: string;
  name: string;
  links: { edit: string; comment: string; view: string };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Why a 401 was answered: "missing", "invalid" or "revoked" (a rotated link). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export async function request<T>(path: string, init: RequestInit & { token?: string | null } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  // Who is asking: the person id with the secret that proves it (the token decides what is allowed).
  for (const [name, value] of Object.entries(identityHeaders())) headers.set(name, value);
  if (init.body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError("the server cannot be reached", 0);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy error page); fall through to the status line.
  }
  if (!res.ok) {
    const message =
      typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
        ? (body as { error: string }).error
        : `${res.status} ${res.statusText}`;
    const reason = (body as { reason?: unknown } | null)?.reason;
    throw new ApiError(message, res.status, typeof reason === "string" ? reason : undefined);
  }
  return body as T;
}

export function createPlan(name: string): Promise<CreatedPlan> {
  return request<CreatedPlan>("/api/plans", { method: "POST", body: JSON.stringify(name ? { name } : {}) });
}

export function getPlan(id: string, token: string | null): Promise<PlanInfo> {
  return request<PlanInfo>(`/api/plans/${encodeURIComponent(id)}`, { token });
}

/** The plan's accounts as columns (`version` at the top level). Large: pass a signal to cancel. */
export function getAccounts(id: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  // Columns: the same content as the GeoJSON, several times faster to parse (shared/accounts/columns.ts).
  return request<unknown>(`/api/plans/${encodeURIComponent(id)}/accounts?format=columns`, { token, signal });
}

/** The plan's current analysis (no per-account assignment); 503 when the server does not score. */
export function getAnalysis(id: string, token: string | null): Promise<unknown> {
  return request<unknown>(`/api/plans/${encodeURIComponent(id)}/analysis`, { token });
}

// ——— comments (the server writes them into the plan document; everyone sees the result live) ———

function commentsPath(planId: string, ...rest: string[]): string {
  return [`/api/plans/${encodeURIComponent(planId)}/comments`, ...rest.map(encodeURIComponent)].join("/");
}

/** Starts a thread at `at`; without `territoryId` the server picks the territory there. */
export function createComment(
  planId: string,
  token: string | null,
  body: { text: string; at: [number, number]; territoryId?: string | null },
): Promise<CommentThread> {
  return request<CommentThread>(commentsPath(planId), { method: "POST", token, body: JSON.stringify(body) });
}

export function replyToComment(
  planId: string,
  token: string | null,
  threadId: string,
  text: string,
): Promise<CommentThread> {
  return request<CommentThread>(commentsPath(planId, threadId, "replies"), {
    method: "POST",
    token,
    body: JSON.stringify({ text }),
  });
}

/** Edits a thread's first comment, or resolves / reopens the thread. */
export function patchComment(
  planId: string,
  token: string | null,
  threadId: string,
  patch: { text?: string; resolved?: boolean },
): Promise<CommentThread> {
  return request<CommentThread>(commentsPath(planId, threadId), {
    method: "PATCH",
    token,
    body: JSON.stringify(patch),
  });
}

export function editReply(
  planId: string,
  token: string | null,
  threadId: string,
  replyId: string,
  text: string,
): Promise<CommentThread> {
  return request<CommentThread>(commentsPath(planId, threadId, "replies", replyId), {
    method: "PATCH",
    token,
    body: JSON.stringify({ text }),
  });
}

// ——— share links and activity (issue 4) ———

/** Replaces a role's share link (managers only): the old token stops working at once, open sockets included. */
export function rotateLink(planId: string, token: string | null, role: Role): Promise<{ role: Role; link: string }> {
  return request<{ role: Role; link: string }>(
    `/api/plans/${encodeURIComponent(planId)}/links/${encodeURIComponent(role)}/rotate`,
    { method: "POST", token, body: "{}" },
  );
}

/** One page of the activity feed, newest first; `before` is the previous page's `next`. */
export function getActivity(
  planId: string,
  token: string | null,
  query: { before?: number | null; limit?: number; person?: string; territory?: string } = {},
  signal?: AbortSignal,
): Promise<unknown> {
  const params = new URLSearchParams();
  if (query.before != null) params.set("before", String(query.before));
  if (query.limit) params.set("limit", String(query.limit));
  if (query.person) params.set("person", query.person);
  if (query.territory) params.set("territory", query.territory);
  const qs = params.toString();
  return request<unknown>(`/api/plans/${encodeURIComponent(planId)}/activity${qs ? `?${qs}` : ""}`, { token, signal });
}

/** A fresh copy of the demo plan, made for this visitor, and its three links (429 past the hourly cap). */
export function getDemo(): Promise<CreatedPlan> {
  return request<CreatedPlan>("/api/demo");
}

/** What identifies an import that can be taken back: an accounts import by the version it made, a territories replace by its id. */
export type UndoableImport = { kind: "accounts"; version: number } | { kind: "territories"; importId: string };

/** Takes back the latest import (managers): 409 with why when a newer one replaced it. */
export function undoImport(planId: string, token: string | null, what: UndoableImport): Promise<unknown> {
  const path =
    what.kind === "accounts"
      ? `/api/plans/${encodeURIComponent(planId)}/accounts/undo`
      : `/api/plans/${encodeURIComponent(planId)}/territories/import/undo`;
  const body = what.kind === "accounts" ? { version: what.version } : { importId: what.importId };
  return request<unknown>(path, { method: "POST", token, body: JSON.stringify(body) });
}

/** A unit plan's layer in the compact form (shared/units/compact.ts); null for a drawn plan. */
export function getUnits(planId: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(`/api/plans/${encodeURIComponent(planId)}/units?format=compact`, { token, signal });
}

/** The plan's competitors as columns (`count`, `version`, positions, attributes), like the accounts. */
export function getCompetitors(planId: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(`/api/plans/${encodeURIComponent(planId)}/competitors?format=columns`, { token, signal });
}

/**
 * Hexagons over the plan's territories at `resolution` (managers): a dry
 * run answers `{count}` only; the real one converts the plan, `201 {kind,
 * count, assigned, unassigned}`. Built in the server's jobs worker: it can
 * take seconds, and the server reports no progress over HTTP.
 */
export function makeHexagons(
  planId: string,
  token: string | null,
  resolution: number,
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<unknown> {
  return request<unknown>(`/api/plans/${encodeURIComponent(planId)}/units${dryRun ? "?dryRun=1" : ""}`, {
    method: "POST",
    token,
    signal,
    body: JSON.stringify({ kind: "h3", resolution, area: "territories" }),
  });
}

/** Back to drawn territories (managers): each keeps the outline of its units → `{territories}` kept. */
export function removeUnits(planId: string, token: string | null): Promise<{ territories: number }> {
  return request<{ territories: number }>(`/api/plans/${encodeURIComponent(planId)}/units`, {
    method: "DELETE",
    token,
  });
}

// ——— auto-balance proposals (issue 13) ———

function proposalsPath(planId: string, ...rest: string[]): string {
  return [`/api/plans/${encodeURIComponent(planId)}/proposals`, ...rest.map(encodeURIComponent)].join("/");
}

/** Starts the optimizer (managers) → `202 {id, status: "running"}`; 409 on a plan without units or with one running. */
export function startProposal(planId: string, token: string | null, body: object): Promise<{ id: string }> {
  return request<{ id: string }>(proposalsPath(planId), { method: "POST", token, body: JSON.stringify(body) });
}

/** One proposal with its moves and its tables before and after (read it with balance/parse.ts). */
export function getProposal(planId: string, token: string | null, id: string, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(proposalsPath(planId, id), { token, signal });
}

/** Ends a running proposal now, keeping the best found so far (it can still be accepted). */
export function stopProposal(planId: string, token: string | null, id: string): Promise<unknown> {
  return request<unknown>(proposalsPath(planId, id, "stop"), { method: "POST", token, body: "{}" });
}

export function discardProposal(planId: string, token: string | null, id: string): Promise<unknown> {
  return request<unknown>(proposalsPath(planId, id), { method: "DELETE", token });
}

/** What accepting did: how many units moved, and the moves it left out and why. */
export interface AcceptAnswer {
  applied: number;
  skipped: { unit: string; reason: "stale" | "split" | "gone" }[];
}

/** Applies a ready or stopped proposal's moves in one change (managers). */
export function acceptProposal(planId: string, token: string | null, id: string): Promise<AcceptAnswer> {
  return request<AcceptAnswer>(proposalsPath(planId, id, "accept"), { method: "POST", token, body: "{}" });
}

/** Takes an accepted proposal back: `reverted` units returned, `kept` the ones others changed since. */
export function undoProposal(
  planId: string,
  token: string | null,
  id: string,
): Promise<{ reverted: number; kept: string[] }> {
  return request<{ reverted: number; kept: string[] }>(proposalsPath(planId, id, "undo"), {
    method: "POST",
    token,
    body: "{}",
  });
}
