/** Addresses of the imports and exports (pure: unit-tested). */

import type { MappingOverride } from "../state/import-mapping.ts";

function planPath(planId: string): string {
  return `/api/plans/${encodeURIComponent(planId)}`;
}

export interface AccountsImportQuery {
  dryRun: boolean;
  mode: "replace" | "append";
  skipInvalid?: boolean;
  mapping?: MappingOverride | null;
}

/** `POST /api/plans/:id/accounts` with its query: `dryRun`, `mode`, `skipInvalid`, `mapping` (JSON). */
export function accountsImportUrl(planId: string, q: AccountsImportQuery): string {
  const params = new URLSearchParams();
  if (q.dryRun) params.set("dryRun", "1");
  if (q.mode === "append") params.set("mode", "append");
  if (q.skipInvalid) params.set("skipInvalid", "1");
  if (q.mapping) params.set("mapping", JSON.stringify(q.mapping));
  const qs = params.toString();
  return `${planPath(planId)}/accounts${qs ? `?${qs}` : ""}`;
}

/** `POST /api/plans/:id/territories/import?mode=add|replace[&dryRun=1][&skipInvalid=1]`. */
export function territoriesImportUrl(
  planId: string,
  q: { dryRun: boolean; mode: "add" | "replace"; skipInvalid?: boolean },
): string {
  const params = new URLSearchParams({ mode: q.mode });
  if (q.dryRun) params.set("dryRun", "1");
  if (q.skipInvalid) params.set("skipInvalid", "1");
  return `${planPath(planId)}/territories/import?${params}`;
}

export type ExportKind = "geojson" | "assignments" | "metrics";

/**
 * A download link of an export, with the token in the query (a plain
 * `<a download>` cannot send an Authorization header).
 */
export function exportUrl(planId: string, token: string | null, kind: ExportKind): string {
  const path =
    kind === "geojson"
      ? `${planPath(planId)}/territories?download=1`
      : `${planPath(planId)}/${kind === "assignments" ? "assignments.csv" : "metrics.csv"}`;
  if (!token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}
