import type { IncomingMessage } from "node:http";
import type * as Y from "yjs";
import {
  type BBox,
  ImportError,
  MAX_ACCOUNTS,
  type MappingOverride,
  MappingError,
  type ParsedAccounts,
  parseAccounts,
  parseMappingOverride,
} from "../../shared/accounts/import.ts";
import {
  readAccountsVersion,
  readCompetitorsVersion,
  readTerritories,
  writeAccountsVersion,
  writeCompetitorsVersion,
} from "../../shared/doc/schema.ts";
import { bboxOf } from "../../shared/geometry/types.ts";
import type { Account } from "../../shared/scoring/accounts.ts";
import { type AccountsFile, fromAccountsFile } from "../persistence/accounts-file.ts";
import type { AccountsUndo, PlanStore, StoredAccounts } from "../persistence/store.ts";
import type { Room } from "../rooms/room.ts";
import { crashPoint } from "../util/crash-point.ts";
import { HttpError, queryFlag, readBody } from "./http.ts";
import { logger } from "../ops/log.ts";

const accountsLog = logger("accounts");

/** Imports of one plan run one at a time (a second waits), so versions never collide. */
const importing = new Map<string, Promise<unknown>>();

/** Accounts of the sample a dry run (and every answer) shows. */
const SAMPLE = 5;
const MAX_LISTED = 200;

export interface ImportOptions {
  mode: "replace" | "append";
  dryRun: boolean;
  skipInvalid: boolean;
  /** `?mapping=` (JSON): corrections to the detected column mapping, see shared/accounts/mapping.ts. */
  mapping?: MappingOverride;
}

/**
 * The import's query parameters: `mode=replace|append`, `dryRun`,
 * `skipInvalid`, and `mapping`, a JSON object such as
 * `{"lat":"Lintang","lon":"Bujur","attributes":{"Kode Pos":null}}`
 * (URL-encoded), so the file itself can stay the request's whole body.
 */
export function importOptions(url: URL): ImportOptions {
  const mode = url.searchParams.get("mode") ?? "replace";
  if (mode !== "replace" && mode !== "append") throw new HttpError(400, 'mode must be "replace" or "append".');
  const opts: ImportOptions = { mode, dryRun: queryFlag(url, "dryRun"), skipInvalid: queryFlag(url, "skipInvalid") };
  const mapping = url.searchParams.get("mapping");
  if (mapping !== null && mapping.trim() !== "") {
    let value: unknown;
    try {
      value = JSON.parse(mapping);
    } catch (e) {
      throw new HttpError(400, `mapping must be JSON (URL-encoded): ${(e as Error).message}`);
    }
    try {
      opts.mapping = parseMappingOverride(value);
    } catch (e) {
      if (e instanceof MappingError) throw new HttpError(400, e.message);
      throw e;
    }
  }
  return opts;
}

/** An upload, read but not yet parsed: parsing needs the plan's area, known once the plan is loaded. */
export interface Upload {
  text: string;
}

/** Reads an accounts upload (CSV, or GeoJSON when it looks like JSON); 413 beyond `limit`, 400 when empty. */
export async function parseUpload(req: IncomingMessage, limit: number): Promise<Upload> {
  const text = (await readBody(req, limit)).toString("utf8");
  if (text.trim().length === 0)
    throw new HttpError(400, "The upload is empty: send a CSV file or a GeoJSON FeatureCollection.");
  return { text };
}

/**
 * The plan's area for the import's "far outside" and "swapped" checks: the
 * box around its territories, or null when it has none yet.
 */
export function planArea(doc: Y.Doc): BBox | null {
  let area: BBox | null = null;
  for (const t of readTerritories(doc)) {
    const b = bboxOf(t.geometry);
    if (!Number.isFinite(b[0])) continue;
    if (!area) area = [...b];
    else area = [Math.min(area[0], b[0]), Math.min(area[1], b[1]), Math.max(area[2], b[2]), Math.max(area[3], b[3])];
  }
  return area;
}

/** Parses the upload against the plan; a file that cannot be read at all is a 400 with what the UI needs to fix it. */
function parse(upload: Upload, opts: ImportOptions, area: BBox | null): ParsedAccounts {
  try {
    return parseAccounts(upload.text, { mapping: opts.mapping, area });
  } catch (e) {
    if (e instanceof ImportError) throw new HttpError(400, e.message, e.details ? { ...e.details } : undefined);
    throw e;
  }
}

/**
 * Applies an import: all or nothing. With problem rows and no skipInvalid,
 * nothing is stored and every bad row is named (400). Warnings (points far
 * outside the plan's area, latitude and longitude apparently swapped) never
 * block; they are listed in every answer. A dry run stores nothing and
 * answers 200 with the same summary, problems included, and `refused`: the
 * sentence the real import would answer with, or null.
 *
 * A real import lands in one atomic step: the accounts file, with the new
 * version inside it, replaces the old one (temporary file, fsync, rename).
 * The document's copy of the version is bumped next, so clients refetch
 * and the scoring reloads; a crash in between is repaired when the plan
 * next loads (`reconcileAccountsVersion`). Both are done before it resolves.
 */
export function importAccounts(
  store: PlanStore,
  room: Room,
  upload: Upload,
  opts: ImportOptions,
  beforeStore?: () => Promise<unknown>,
) {
  return importPoints(accountsTarget(store), store, room, upload, opts, beforeStore);
}

/**
 * Where an import of points lands: the accounts, or the competitors (issue
 * 12: the same import, preview, mapping and refusals; stored beside the plan,
 * their version in the document so clients refetch and the scoring reloads).
 */
export interface PointTarget {
  kind: "accounts" | "competitors";
  get(planId: string): Promise<StoredAccounts | null>;
  put(planId: string, stored: StoredAccounts): Promise<void>;
  readVersion(doc: Y.Doc): number;
  writeVersion(doc: Y.Doc, version: number): void;
  /** Keep what the import replaces, for "Undo this import". */
  keepUndo: boolean;
}

export function accountsTarget(store: PlanStore): PointTarget {
  return {
    kind: "accounts",
    get: (planId) => store.getAccounts(planId),
    put: (planId, stored) => store.putAccounts(planId, stored),
    readVersion: readAccountsVersion,
    writeVersion: writeAccountsVersion,
    keepUndo: true,
  };
}

export function competitorsTarget(store: PlanStore): PointTarget {
  return {
    kind: "competitors",
    get: (planId) => store.getData(planId, "competitors"),
    put: (planId, stored) => store.putData(planId, "competitors", stored),
    readVersion: readCompetitorsVersion,
    writeVersion: writeCompetitorsVersion,
    keepUndo: false,
  };
}

/**
 * `beforeStore` runs once the import is known to land, right before
 * anything is stored (the checkpoint before an import, issue 14); when it
 * fails, nothing is imported.
 */
export function importPoints(
  target: PointTarget,
  store: PlanStore,
  room: Room,
  upload: Upload,
  opts: ImportOptions,
  beforeStore?: () => Promise<unknown>,
) {
  const planId = room.address.planId;
  const run = async () => {
    const parsed = parse(upload, opts, planArea(room.doc));
    let accounts = parsed.accounts;
    const problems = [...parsed.problems];
    let problemCount = parsed.problemCount;
    const existing = opts.mode === "append" ? ((await target.get(planId))?.accounts ?? []) : [];
    if (existing.length > 0) {
      const taken = new Set(existing.map((a) => a.id));
      const fresh: Account[] = [];
      // Row 0: the row itself is fine; its id clashes with the plan, and the reason names the id.
      for (const a of accounts) {
        if (taken.has(a.id)) {
          problemCount++;
          if (problems.length < MAX_LISTED) {
            problems.push({
              row: 0,
              code: "id-in-plan",
              params: { id: a.id },
              reason: `id "${a.id}" is already in the plan`,
            });
          }
        } else fresh.push(a);
      }
      accounts = fresh;
    }
    const summary = {
      format: parsed.format,
      delimiter: parsed.delimiter,
      headers: parsed.headers,
      detected: parsed.detected,
      mapping: parsed.mapping,
      decimals: parsed.decimals,
      blanks: parsed.blanks,
      numeric: parsed.numeric,
      columns: parsed.columns,
      total: parsed.total,
      valid: accounts.length,
      problems,
      problemCount,
      warnings: parsed.warnings,
      warningCount: parsed.warningCount,
      warningCounts: parsed.warningCounts,
      preview: parsed.preview,
      sample: accounts.slice(0, SAMPLE),
    };
    let refused: HttpError | null = null;
    if (problemCount > 0 && !opts.skipInvalid) {
      refused = new HttpError(
        400,
        `${problemCount} of ${parsed.total} rows cannot be imported, so nothing was imported. Fix them, or import the valid rows only with ?skipInvalid=true.`,
        { rows: problems, ...summary, problems: undefined },
      );
    } else if (existing.length + accounts.length > MAX_ACCOUNTS) {
      refused = new HttpError(
        413,
        `A plan holds at most ${MAX_ACCOUNTS} accounts; this import would make ${existing.length + accounts.length}.`,
      );
    }
    if (opts.dryRun) return { dryRun: true, ...summary, refused: refused?.message ?? null };
    if (refused) throw refused;
    await beforeStore?.();
    const stored = await target.get(planId);
    const version = Math.max(stored?.version ?? 0, target.readVersion(room.doc)) + 1;
    const all = [...existing, ...accounts];
    // What this import replaces is kept first, so it can be brought back (issue 10) once it has landed:
    // kept once with the plan's versions (the checkpoint before the import refers to it too), named here.
    if (target.keepUndo) {
      const previousVersion = await store.keepData(planId, "accounts");
      await store.putData(planId, "undo-accounts", { version, at: new Date().toISOString(), previousVersion });
    }
    await target.put(planId, { version, importedAt: new Date().toISOString(), accounts: all });
    // The import has landed: from here on, the stored file is what the plan holds.
    crashPoint(`${target.kind}-stored`);
    try {
      await room.change({ kind: "rest", method: "POST", path: `/api/plans/${planId}/${target.kind}` }, (doc) =>
        target.writeVersion(doc, version),
      );
    } catch (e) {
      // The room could not save the bump (its storage failed): the accounts are stored all the same,
      // and the document catches up when the plan next loads. Saying "nothing was saved" would be wrong.
      accountsLog.error(
        { planId, kind: target.kind, err: e },
        `${target.kind} version ${version} is stored; the document will say so when the plan next loads (${(e as Error).message})`,
      );
    }
    // Kept for the versions that will refer to them (issue 14) now, in the import's time rather than in
    // the next save's: keeping 50,000 accounts takes about as long as a save may. Should it fail, that save keeps them.
    await store
      .keepData(planId, target.kind)
      .catch((e: Error) =>
        accountsLog.error(
          { planId, kind: target.kind, version, err: e },
          `keeping ${target.kind} version ${version} failed`,
        ),
      );
    return { dryRun: false, ...summary, imported: accounts.length, accounts: all.length, version };
  };
  return queued(planId, run);
}

/**
 * Runs the plan's account changes one after another (imports, undos and
 * restores of versions with their accounts never interleave). Whoever also
 * needs the plan's versions (server/versions/) takes this queue first.
 */
export function queued<T>(planId: string, run: () => Promise<T>): Promise<T> {
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

/**
 * Takes back the accounts import that made `version`: the accounts it
 * replaced become the plan's again, as a new version (clients refetch, the
 * analysis follows). Only while that import's accounts are still the plan's
 * (409 otherwise, with why); the undo is used up.
 */
export function undoAccountsImport(store: PlanStore, room: Room, version: number) {
  const planId = room.address.planId;
  return queued(planId, async () => {
    const undo = await store.getData(planId, "undo-accounts");
    const stored = await store.getAccounts(planId);
    if (!undo || undo.version !== version) {
      throw new HttpError(
        409,
        "This import can no longer be undone: only the latest accounts import can be taken back.",
      );
    }
    if ((stored?.version ?? 0) !== version) {
      throw new HttpError(409, "This import can no longer be undone: a newer import has replaced its accounts since.");
    }
    const back = await accountsBefore(store, planId, undo);
    const next = Math.max(version, readAccountsVersion(room.doc)) + 1;
    await store.putAccounts(planId, { version: next, importedAt: new Date().toISOString(), accounts: back });
    await store.putData(planId, "undo-accounts", null);
    await room.change({ kind: "rest", method: "POST", path: `/api/plans/${planId}/accounts/undo` }, (doc) =>
      writeAccountsVersion(doc, next),
    );
    return { accounts: back.length, version: next };
  });
}

/** The accounts an import replaced: kept with the plan's versions, or (files from before issue 14) in the undo itself. */
async function accountsBefore(store: PlanStore, planId: string, undo: AccountsUndo): Promise<Account[]> {
  if (undo.previous !== undefined) return undo.previous?.accounts ?? [];
  if (!undo.previousVersion) return [];
  const text = await store.getKeptData(planId, "accounts", undo.previousVersion);
  if (text === null) {
    throw new HttpError(409, "This import can no longer be undone: the accounts it replaced are no longer kept.");
  }
  return fromAccountsFile(JSON.parse(text) as AccountsFile).accounts;
}

/**
 * The stored accounts are the one source of truth for the accounts and
 * their version; the document only carries a copy of the version, so that
 * clients refetch and the analysis reloads when it moves. When a plan loads
 * with a copy that differs (an import cut off between its two steps by a
 * crash), the stored version is written into the document, as the server's
 * own change.
 */
export async function reconcileAccountsVersion(store: PlanStore, room: Room): Promise<void> {
  const planId = room.address.planId;
  const version = await store.getAccountsVersion(planId);
  const copy = readAccountsVersion(room.doc);
  const competitors = (await store.getData(planId, "competitors"))?.version ?? 0;
  const competitorsCopy = readCompetitorsVersion(room.doc);
  if (copy === version && competitors === competitorsCopy) return;
  accountsLog.info(
    { planId },
    `the document says accounts ${copy} and competitors ${competitorsCopy}, the stored ones are ${version} and ${competitors} (an import was interrupted); the document now says so`,
  );
  await room.change({ kind: "system", reason: "accounts version reconciled" }, (doc) => {
    if (copy !== version) writeAccountsVersion(doc, version);
    if (competitors !== competitorsCopy) writeCompetitorsVersion(doc, competitors);
  });
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
