/** Addresses of the imports and exports (pure: unit-tested). */

import type { MappingOverride } from "../../shared/accounts/mapping.ts";

function planPath(planId: string): string {
  return `/api/plans/${encodeURIComponent(planId)}`;
}

export interface AccountsImportQuery {
  dryRun: boolean;
  mode: "replace" | "append";
  skipInvalid?: boolean;
  mapping?: MappingOverride | null;
}

/** Points a plan holds: its accounts, or its competitors (the same import, issue 12). */
export type PointKind = "accounts" | "competitors";

/**
 * `POST /api/plans/:id/accounts` (or `…/competitors`) with its query:
 * `dryRun`, `mode`, `skipInvalid`, `mapping` (JSON).
 */
export function accountsImportUrl(planId: string, q: AccountsImportQuery, kind: PointKind = "accounts"): string {
  const params = new URLSearchParams();
  if (q.dryRun) params.set("dryRun", "1");
  if (q.mode === "append") params.set("mode", "append");
  if (q.skipInvalid) params.set("skipInvalid", "1");
  if (q.mapping) params.set("mapping", JSON.stringify(q.mapping));
  const qs = params.toString();
  return `${planPath(planId)}/${kind}${qs ? `?${qs}` : ""}`;
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

/** `POST /api/plans/:id/units[?dryRun=1][&skipInvalid=1]`: make or replace the unit layer. */
export function unitsUrl(planId: string, q: { dryRun: boolean; skipInvalid?: boolean }): string {
  const params = new URLSearchParams();
  if (q.dryRun) params.set("dryRun", "1");
  if (q.skipInvalid) params.set("skipInvalid", "1");
  const qs = params.toString();
  return `${planPath(planId)}/units${qs ? `?${qs}` : ""}`;
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
