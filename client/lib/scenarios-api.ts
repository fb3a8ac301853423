/**
 * Scenarios over REST (issue 14; server/README.md, *Scenarios*). Answers
 * are read with scenarios/parse.ts, so these hand back `unknown`.
 */
import { request } from "./api.ts";

function plan(planId: string): string {
  return `/api/plans/${encodeURIComponent(planId)}`;
}

/** Makes a scenario of the plan now, or of one of its versions (`from`) → `201 {id, name, origin, links}`. */
export function createScenario(planId: string, token: string | null, name: string, from?: string): Promise<unknown> {
  return request<unknown>(`${plan(planId)}/scenarios`, {
    method: "POST",
    token,
    body: JSON.stringify(from ? { name, from } : { name }),
  });
}

/** The plan's scenarios, newest first: `{scenarios: [...]}`. */
export function listScenarios(planId: string, token: string | null, signal?: AbortSignal): Promise<unknown> {
  return request<unknown>(`${plan(planId)}/scenarios`, { token, signal });
}

/** Deletes a scenario (a plan of its own) with this plan's edit link or the scenario's → 204. */
export function deleteScenario(scenarioId: string, token: string | null): Promise<unknown> {
  return request<unknown>(plan(scenarioId), { method: "DELETE", token });
}

/** Previews (`dryRun`) or promotes the scenario into its origin; `conflicts` decides what both sides changed. */
export function promoteScenario(
  scenarioId: string,
  token: string | null,
  opts: { dryRun: boolean; conflicts?: "origin" | "scenario" },
  signal?: AbortSignal,
): Promise<unknown> {
  return request<unknown>(`${plan(scenarioId)}/promote${opts.dryRun ? "?dryRun=1" : ""}`, {
    method: "POST",
    token,
    signal,
    body: JSON.stringify(opts.conflicts ? { conflicts: opts.conflicts } : {}),
  });
}
