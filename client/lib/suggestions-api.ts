/**
 * Suggestions over REST (issue 15; server/README.md, *Suggestions*). Their
 * result reaches every open map through the document (like comments), so
 * the answers matter only for what the person is told.
 */
import type { TerritoryGeometry } from "../../shared/geometry/types.ts";
import { request } from "./api.ts";

function path(planId: string, ...rest: string[]): string {
  return [`/api/plans/${encodeURIComponent(planId)}/suggestions`, ...rest.map(encodeURIComponent)].join("/");
}

export interface SuggestionBody {
  territory: string;
  geometry?: TerritoryGeometry;
  /** Unit id (the layer's) → territory id, or null for none. */
  units?: Record<string, string | null>;
  text: string;
  /** The thread of the suggestion this one redraws. */
  thread?: string;
}

/** Makes a suggestion → `{id, thread, effect, …}`. */
export function createSuggestion(
  planId: string,
  token: string | null,
  body: SuggestionBody,
): Promise<{ id: string; threadId: string }> {
  return request(path(planId), { method: "POST", token, body: JSON.stringify(body) });
}

export interface AcceptedSuggestion {
  score: { before: number | null; after: number | null };
  overlaps: { territoryIds: string[]; areaKm2: number }[];
}

export function acceptSuggestion(planId: string, token: string | null, id: string): Promise<AcceptedSuggestion> {
  return request(path(planId, id, "accept"), { method: "POST", token });
}

export function declineSuggestion(planId: string, token: string | null, id: string, text: string): Promise<unknown> {
  return request(path(planId, id, "decline"), { method: "POST", token, body: JSON.stringify({ text }) });
}

export function undoSuggestion(planId: string, token: string | null, id: string): Promise<{ kept: number }> {
  return request(path(planId, id, "undo"), { method: "POST", token });
}
