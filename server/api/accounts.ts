import type { IncomingMessage } from "node:http";
import {
  ImportError,
  MAX_ACCOUNTS,
  type ParsedAccounts,
  parseAccountsCsv,
  parseAccountsGeoJson,
} from "../../shared/accounts/import.ts";
import { readAccountsVersion, writeAccountsVersion } from "../../shared/doc/schema.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import type { PlanStore } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import { HttpError, readBody } from "./http.ts";

/** Imports of one plan run one at a time (a second waits), so versions never collide. */
const importing = new Map<string, Promise<unknown>>();

export interface ImportOptions {
  mode: "replace" | "append";
  dryRun: boolean;
  skipInvalid: boolean;
}

export function importOptions(url: URL): ImportOptions {
  const mode = url.searchParams.get("mode") ?? "replace";
  if (mode !== "replace" && mode !== "append") throw new HttpError(400, 'mode must be "replace" or "append".');
  const flag = (name: string) => {
    const v = url.searchParams.get(name);
    if (v === null || v === "false" || v === "0") return false;
    if (v === "" || v === "true" || v === "1") return true;
    throw new HttpError(400, `${name} must be true or false.`);
  };
  return { mode, dryRun: flag("dryRun"), skipInvalid: flag("skipInvalid") };
}

/** Parses an accounts upload: GeoJSON when it looks like JSON, CSV otherwise. */
export async function parseUpload(req: IncomingMessage, limit: number): Promise<ParsedAccounts> {
  const text = (await readBody(req, limit)).toString("utf8");
  if (text.trim().length === 0)
    throw new HttpError(400, "The upload is empty: send a CSV file or a GeoJSON FeatureCollection.");
  const type = String(req.headers["content-type"] ?? "");
  const looksJson = type.includes("json") || /^\s*[[{]/.test(text);
  try {
    if (looksJson) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        throw new ImportError(`The upload is not valid JSON: ${(e as Error).message}`);
      }
      return parseAccountsGeoJson(body);
    }
    return parseAccountsCsv(text);
  } catch (e) {
    if (e instanceof ImportError) throw new HttpError(400, e.message);
    throw e;
  }
}

/**
 * Applies an import: all or nothing. With problem rows and no skipInvalid,
 * nothing is stored and every bad row is named. The accounts are on disk
 * and the document's accounts version is bumped (so clients refetch and the
 * scoring reloads) before this resolves.
 */
export function importAccounts(store: PlanStore, room: Room, parsed: ParsedAccounts, opts: ImportOptions) {
  const planId = room.address.planId;
  const run = async () => {
    const rows = parsed.problems;
    let accounts = parsed.accounts;
    const problems = [...rows];
    let problemCount = parsed.problemCount;
    const existing = opts.mode === "append" ? ((await store.getAccounts(planId))?.accounts ?? []) : [];
    if (existing.length > 0) {
      const taken = new Set(existing.map((a) => a.id));
      const fresh: Account[] = [];
      for (const a of accounts) {
        if (taken.has(a.id)) {
          problemCount++;
          if (problems.length < 200) problems.push({ row: 0, reason: `id "${a.id}" is already in the plan` });
        } else fresh.push(a);
      }
      accounts = fresh;
    }
    const summary = {
      format: parsed.format,
      columns: parsed.columns,
      total: parsed.total,
      valid: accounts.length,
      problems,
      problemCount,
    };
    if (problemCount > 0 && !opts.skipInvalid) {
      throw new HttpError(
        400,
        `${problemCount} of ${parsed.total} rows cannot be imported, so nothing was imported. Fix them, or import the valid rows only with ?skipInvalid=true.`,
        { rows: problems, ...summary, problems: undefined },
      );
    }
    if (existing.length + accounts.length > MAX_ACCOUNTS) {
      throw new HttpError(
        413,
        `A plan holds at most ${MAX_ACCOUNTS} accounts; this import would make ${existing.length + accounts.length}.`,
      );
    }
    if (opts.dryRun) return { dryRun: true, ...summary, sample: accounts.slice(0, 5) };
    const stored = await store.getAccounts(planId);
    const version = Math.max(stored?.version ?? 0, readAccountsVersion(room.doc)) + 1;
    const all = [...existing, ...accounts];
    await store.putAccounts(planId, { version, importedAt: new Date().toISOString(), accounts: all });
    await room.change({ kind: "rest", method: "POST", path: `/api/plans/${planId}/accounts` }, (doc) =>
      writeAccountsVersion(doc, version),
    );
    return { dryRun: false, ...summary, imported: accounts.length, accounts: all.length, version };
  };
  const previous = importing.get(planId) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(run);
  importing.set(planId, next);
  next
    .finally(() => {
      if (importing.get(planId) === next) importing.delete(planId);
    })
    .catch(() => {});
  return next;
}

/** The accounts as GeoJSON points (properties: id, name, then every attribute). */
export function accountsGeoJson(accounts: Account[], version: number) {
  return {
    type: "FeatureCollection" as const,
    version,
    features: accounts.map((a) => ({
      type: "Feature" as const,
      id: a.id,
      geometry: { type: "Point" as const, coordinates: [a.lon, a.lat] },
      properties: { id: a.id, name: a.name, ...a.attrs },
    })),
  };
}
