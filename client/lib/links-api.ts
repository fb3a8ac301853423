import type { Role } from "../../shared/access/roles.ts";
import type { LinkScope } from "../../shared/access/scope.ts";
import { request } from "./api.ts";

/** A link as the links API lists it (issue 15): a role link has its role as id and no label or scope. */
export interface ListedLink {
  id: string;
  role: Role;
  label: string | null;
  scope: LinkScope | null;
  createdAt: string | null;
}

const base = (planId: string) => `/api/plans/${encodeURIComponent(planId)}/links`;

/** The link this page was opened with: its label and scope (a scoped edit link's reach). */
export function getMyLink(planId: string, token: string | null): Promise<ListedLink> {
  return request<ListedLink>(`${base(planId)}/mine`, { token });
}

/** Every link of the plan, without tokens (an unscoped edit link only). */
export async function listLinks(planId: string, token: string | null): Promise<ListedLink[]> {
  return (await request<{ links: ListedLink[] }>(base(planId), { token })).links;
}

/** Makes a labelled link, optionally scoped; the answer holds its link, the only time it is shown. */
export function createLink(
  planId: string,
  token: string | null,
  spec: { role: Role; label: string; scope?: LinkScope },
): Promise<ListedLink & { link: string }> {
  return request(base(planId), { method: "POST", token, body: JSON.stringify(spec) });
}

/** Replaces a labelled link's token (label and scope stay). */
export function rotateLabelledLink(
  planId: string,
  token: string | null,
  id: string,
): Promise<ListedLink & { link: string }> {
  return request(`${base(planId)}/${encodeURIComponent(id)}/rotate`, { method: "POST", token, body: "{}" });
}

/** Stops a labelled link at once. */
export function removeLink(planId: string, token: string | null, id: string): Promise<unknown> {
  return request(`${base(planId)}/${encodeURIComponent(id)}`, { method: "DELETE", token });
}
