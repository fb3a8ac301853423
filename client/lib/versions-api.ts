/**
 * Versions over REST (issue 14; server/README.md, *Versions*), as the
 * History panel calls them. Answers are read with versions/parse.ts, so
 * these hand back `unknown` where the shape is checked there.
 */
import { request } from "./api.ts";

function plan(planId: string): string {
  return `/api/plans/${encodeURIComponent(planId)}`;
}

function version(planId: string, vid: string, ...rest: string[]): string {
  return [`${plan(planId)}/versions/${encodeURIComponent(vid)}`, ...rest].join("/");
}

/** The plan's versions and checkpoints, newest first: `{versions: [...]}`. */
export function listVersions(planId: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(`${plan(planId)}/versions`, { token, signal });
}

/** Saves a named version (managers) → `201 {id, name, at, by, auto: false, summary}`; 409 past 200. */
export function saveVersion(planId: string, token: string | null, name: string): Promise<unknown> {
  return request<unknown>(`${plan(planId)}/versions`, { method: "POST", token, body: JSON.stringify({ name }) });
}

/** Deletes a version or checkpoint (managers) → 204. */
export function deleteVersion(planId: string, token: string | null, vid: string): Promise<unknown> {
  return request<unknown>(version(planId, vid), { method: "DELETE", token });
}

/** The version's territories as they were (GeoJSON like `GET …/territories`, plus `version`). */
export function getVersionTerritories(
  planId: string,
  token: string | null,
  vid: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return request<unknown>(version(planId, vid, "territories"), { token, signal });
}

/** The version's analysis (metrics per territory, balance, issues) as it was scored. */
export function getVersionAnalysis(
  planId: string,
  token: string | null,
  vid: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return request<unknown>(version(planId, vid, "analysis"), { token, signal });
}

/** Compares two versions, or one with `current` (the plan now). */
export function compareVersions(
  planId: string,
  token: string | null,
  from: string,
  to: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const qs = new URLSearchParams({ from, to }).toString();
  return request<unknown>(`${plan(planId)}/compare?${qs}`, { token, signal });
}

/** Brings a version back as one change (managers); `accounts` brings its accounts and competitors back too. */
export function restoreVersion(planId: string, token: string | null, vid: string, accounts: boolean): Promise<unknown> {
  return request<unknown>(version(planId, vid, "restore"), {
    method: "POST",
    token,
    body: JSON.stringify(accounts ? { accounts: true } : {}),
  });
}

/** Takes a restore back (managers): what nobody changed since returns to what it was. */
export function undoRestore(planId: string, token: string | null, restoreId: string): Promise<unknown> {
  return request<unknown>(`${plan(planId)}/restores/${encodeURIComponent(restoreId)}/undo`, {
    method: "POST",
    token,
    body: "{}",
  });
}

/** The plan's territories now, as GeoJSON (the later side of a comparison with `current`). */
export function getPlanTerritories(planId: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(`${plan(planId)}/territories`, { token, signal });
}
