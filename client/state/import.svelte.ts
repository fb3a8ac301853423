/**
 * The import dialogs' state: a file picked → a dry run (the server's
 * preview) → corrections (column mapping, replace or append) re-run the dry
 * run → the confirmed import → its result. The file goes up whole each
 * time (the server keeps nothing between calls), with upload progress.
 */

import { type UndoableImport, undoImport } from "../lib/api.ts";
import { accountsImportUrl, type PointKind, territoriesImportUrl } from "../lib/data-urls.ts";
import { type UploadAnswer, UploadFailed, upload } from "../lib/upload.ts";
import {
  type AccountsPreview,
  assignAttribute,
  assignRole,
  blankMapping,
  buildOverride,
  type ColumnMapping,
  contentTypeFor,
  type MappingRole,
  mappingComplete,
  readPreview,
  readTerritoriesPreview,
  type TerritoriesPreview,
  type UploadProgress,
} from "./import-mapping.ts";

/**
 * Where an import stands: nothing picked; a dry run on its way; the preview
 * shown; the import on its way; done; or failed without a preview to show.
 */
export type ImportPhase = "pick" | "checking" | "preview" | "importing" | "done" | "failed";

/**
 * Why a call had no usable answer: the server's sentence, or what the client
 * saw (`notAreas`: a units file that is not a FeatureCollection of areas).
 */
export type ImportFailure =
  | { server: string }
  | { code: "network" | "tooLarge" | "unexpected" | "notReady" | "notAreas" };

export function failureOf(answer: UploadAnswer): ImportFailure {
  if (answer.error) return { server: answer.error };
  if (answer.status === 413) return { code: "tooLarge" };
  if (answer.status === 404 || answer.status === 405 || answer.status === 501) return { code: "notReady" };
  return { code: "unexpected" };
}

/** The first character of a file that is not a BOM or white space: "{" means GeoJSON. */
export async function firstChar(file: Blob): Promise<string> {
  try {
    const head = await file.slice(0, 256).text();
    return head
      .replace(/^\uFEFF/, "")
      .trimStart()
      .charAt(0);
  } catch {
    return "";
  }
}

/** A finished request the server accepted (2xx). */
export function accepted(answer: UploadAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/**
 * What every import dialog shares: the file, its upload (cancellable, with
 * progress), the phase, the failure, the server's preview `P` of the file
 * and the result `R` of the confirmed import.
 */
export abstract class ImportFlow<P, R> {
  phase = $state<ImportPhase>("pick");
  file = $state<File | null>(null);
  progress = $state<UploadProgress | null>(null);
  failure = $state<ImportFailure | null>(null);
  preview = $state<P | null>(null);
  /** Import the rest when some rows (or features) are refused. */
  skipInvalid = $state(false);
  result = $state<R | null>(null);
  #contentType = "text/csv";
  #request = 0;
  #abort: AbortController | null = null;

  constructor(
    readonly planId: string,
    readonly token: string | null,
    /** The Content-Type of a flow that reads one format; null: told from the file's name and first character. */
    private readonly fileType: string | null = null,
  ) {}

  /**
   * Sends the file; null when there is no answer to read: the request was
   * overtaken by a newer one, or failed on the way (`failure` says why, and
   * the preview stays when there is one).
   */
  protected async send(url: string): Promise<UploadAnswer | null> {
    const file = this.file;
    if (!file) return null;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const request = ++this.#request;
    this.progress = { phase: "sending", loaded: 0, total: file.size };
    try {
      const answer = await upload(url, file, {
        token: this.token,
        contentType: this.#contentType,
        signal: abort.signal,
        onProgress: (p) => {
          if (request === this.#request) this.progress = p;
        },
      });
      return request === this.#request ? answer : null;
    } catch (e) {
      if (request !== this.#request || (e instanceof UploadFailed && e.aborted)) return null;
      this.failure = e instanceof UploadFailed ? { code: "network" } : { code: "unexpected" };
      // Keep the last preview usable (try again, change the mode) rather than a dead end.
      this.phase = this.preview ? "preview" : "failed";
      return null;
    } finally {
      if (request === this.#request) {
        this.progress = null;
        this.#abort = null;
      }
    }
  }

  /** Sends the dry run (null as for `send`). */
  protected sendCheck(url: string): Promise<UploadAnswer | null> {
    this.phase = "checking";
    this.result = null;
    return this.send(url);
  }

  /** Sends the confirmed import (null as for `send`). */
  protected sendImport(url: string): Promise<UploadAnswer | null> {
    this.phase = "importing";
    this.failure = null;
    return this.send(url);
  }

  async pick(file: File): Promise<void> {
    this.file = file;
    this.failure = null;
    this.#contentType = this.fileType ?? contentTypeFor(file.name, await firstChar(file));
    await this.check();
  }

  /** The dry run. */
  abstract check(): Promise<void>;

  /** Back to choosing a file (cancels what is on its way). */
  reset(): void {
    this.#request++;
    this.#abort?.abort();
    this.#abort = null;
    this.progress = null;
    this.file = null;
    this.failure = null;
    this.phase = "pick";
    this.preview = null;
    this.result = null;
    this.skipInvalid = false;
    this.clear();
  }

  /** Resets what a flow holds beyond the preview and the result. */
  protected clear(): void {}

  /**
   * Takes the import back another way first (issue 14: restoring the
   * checkpoint taken before it); undefined from it means "not that way".
   */
  undoVia: ((what: UndoableImport) => Promise<string | null | undefined>) | null = null;

  /** Takes the import just made back; an error sentence when it cannot be (a newer one came). */
  protected async undoWith(what: UndoableImport): Promise<string | null> {
    const via = await this.undoVia?.(what);
    if (via !== undefined) return via;
    try {
      await undoImport(this.planId, this.token, what);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }
}

/** What a confirmed accounts (or competitors) import answered. */
export interface AccountsResult {
  imported: number;
  /** The accounts version the import made: what "Undo this import" names (accounts only). */
  version?: number;
  /** Set once the import was taken back. */
  undone?: boolean;
  /** Accounts (or competitors) in the plan afterwards. */
  accounts: number;
}

/**
 * An import of points: the plan's accounts, or its competitors (issue 12),
 * which the server reads the same way (preview, mapping, Indonesian
 * formats, refusals). Only an accounts import can be taken back.
 */
export class PointsImport extends ImportFlow<AccountsPreview, AccountsResult> {
  /** The mapping as the person has it now (the server's, then their corrections). */
  mapping = $state<ColumnMapping | null>(null);
  /**
   * Replace or append: never preselected while the plan has accounts (an
   * 8-row file once replaced the demo's 6,000 after a button that only said
   * "Import 8 accounts"); with none there is nothing to choose.
   */
  mode = $state<"replace" | "append" | null>(null);
  /** Set when a replace that drops most of the plan's accounts waits for a second yes. */
  askAgain = $state(false);
  /** Accounts (or competitors) in the plan before the import. */
  existing = $state(0);

  constructor(
    planId: string,
    token: string | null,
    readonly kind: PointKind = "accounts",
  ) {
    super(planId, token);
  }

  /** Tells the flow how many points of its kind the plan has now (the dialog follows the live plan). */
  setExisting(n: number): void {
    this.existing = n;
    if (n === 0 && this.mode === null) this.mode = "replace";
  }

  /** The real import would go through: a mode chosen, coordinates known, no refusal but the problem rows, which may be skipped. */
  get canConfirm(): boolean {
    const p = this.preview;
    if (this.phase !== "preview" || !p || p.error || !p.mapping || !this.mapping || this.mode === null) return false;
    if (!mappingComplete(this.mapping) || p.valid === 0) return false;
    if (p.problemCount > 0) return this.skipInvalid;
    return p.refused === null;
  }

  /** How many accounts the import would add. */
  get importCount(): number {
    return this.preview?.valid ?? 0;
  }

  /** What confirming does, in the words of its button. */
  get consequence(): { kind: "choose" | "import" | "replace" | "append"; n: number; existing: number } {
    const n = this.importCount;
    if (this.existing === 0) return { kind: "import", n, existing: 0 };
    if (this.mode === null) return { kind: "choose", n, existing: this.existing };
    return { kind: this.mode, n, existing: this.existing };
  }

  /** A replace that would leave fewer than half the plan's accounts: asked twice. */
  get dropsMost(): boolean {
    return this.mode === "replace" && this.existing > 0 && this.importCount < this.existing / 2;
  }

  protected override clear(): void {
    this.mapping = null;
    this.askAgain = false;
    this.mode = this.existing === 0 ? "replace" : null;
  }

  #override() {
    const p = this.preview;
    return p && this.mapping ? buildOverride(p.detected, this.mapping) : null;
  }

  async check(): Promise<void> {
    const answer = await this.sendCheck(
      accountsImportUrl(
        this.planId,
        { dryRun: true, mode: this.mode ?? "replace", mapping: this.#override() },
        this.kind,
      ),
    );
    if (!answer) return;
    const ok = accepted(answer);
    const preview = readPreview(answer.body, ok ? null : (answer.error ?? ""));
    if (!preview) {
      // Not even the columns could be read (an empty file, not CSV, over the size limit).
      this.failure = failureOf(answer);
      this.preview = null;
      this.phase = "failed";
      return;
    }
    const sameFile = this.preview !== null && this.preview.headers.join("\n") === preview.headers.join("\n");
    this.failure = ok ? null : failureOf(answer);
    this.preview = preview;
    // The server's mapping is the truth; when it could not use the one asked for, keep the person's choice to fix it.
    this.mapping = preview.mapping ?? (sameFile && this.mapping ? this.mapping : preview.detected);
    if (!this.mapping) this.mapping = blankMapping(preview.headers);
    this.phase = "preview";
  }

  /** Gives a role to a column (null: none, for id and name) and re-runs the dry run. */
  async setRole(role: MappingRole, header: string | null): Promise<void> {
    if (!this.mapping) return;
    this.mapping = assignRole(this.mapping, role, header);
    await this.check();
  }

  /** Imports a column as a metric (or not: null) and re-runs the dry run. */
  async setAttribute(header: string, metric: string | null): Promise<void> {
    if (!this.mapping) return;
    this.mapping = assignAttribute(this.mapping, header, metric);
    await this.check();
  }

  /** Replace or append: append also checks the ids against the plan's, so the dry run runs again. */
  async setMode(mode: "replace" | "append"): Promise<void> {
    if (mode === this.mode) return;
    const wasAppend = this.mode === "append";
    this.mode = mode;
    this.askAgain = false;
    if (this.file && (mode === "append" || wasAppend)) await this.check();
  }

  /** "Undo this import" on the result: the accounts it replaced come back. */
  async undo(): Promise<string | null> {
    const version = this.result?.version;
    if (version === undefined || this.result?.undone) return null;
    const error = await this.undoWith({ kind: "accounts", version });
    if (!error && this.result) this.result = { ...this.result, undone: true };
    return error;
  }

  /** Back from the second question to the preview. */
  cancelAskAgain(): void {
    this.askAgain = false;
  }

  /**
   * Imports. A replace that drops most of the plan's accounts first asks
   * again (`askAgain`); the second call goes ahead.
   */
  async confirm(): Promise<void> {
    if (!this.canConfirm || this.mode === null) return;
    if (this.dropsMost && !this.askAgain) {
      this.askAgain = true;
      return;
    }
    this.askAgain = false;
    const answer = await this.sendImport(
      accountsImportUrl(
        this.planId,
        { dryRun: false, mode: this.mode ?? "replace", skipInvalid: this.skipInvalid, mapping: this.#override() },
        this.kind,
      ),
    );
    if (!answer) return;
    if (accepted(answer)) {
      const b = (answer.body ?? {}) as { imported?: unknown; accounts?: unknown; version?: unknown };
      const imported = typeof b.imported === "number" ? b.imported : this.importCount;
      this.result = {
        imported,
        accounts: typeof b.accounts === "number" ? b.accounts : imported,
        // Competitors keep no undo on the server: nothing to name.
        ...(typeof b.version === "number" && this.kind === "accounts" ? { version: b.version } : {}),
      };
      this.phase = "done";
      return;
    }
    // Refused: nothing was imported; the preview stays so the person can fix what the sentence names.
    this.failure = failureOf(answer);
    this.phase = "preview";
  }
}

export class TerritoriesImport extends ImportFlow<
  TerritoriesPreview,
  { imported: number; importId?: string; undone?: boolean }
> {
  mode = $state<"add" | "replace">("add");

  constructor(planId: string, token: string | null) {
    super(planId, token, "application/json");
  }

  /** Something to import; problem features only when skipped; no other refusal (too many territories). */
  get canConfirm(): boolean {
    const p = this.preview;
    if (this.phase !== "preview" || !p || p.valid === 0) return false;
    if (p.problemCount > 0) return this.skipInvalid;
    return p.refused === null;
  }

  async check(): Promise<void> {
    const answer = await this.sendCheck(territoriesImportUrl(this.planId, { dryRun: true, mode: this.mode }));
    if (!answer) return;
    const preview = readTerritoriesPreview(answer.body);
    if (!accepted(answer) || !preview) {
      this.failure = failureOf(answer);
      // A refused file may still name its problem features: show them.
      this.preview = preview;
      this.phase = preview ? "preview" : "failed";
      return;
    }
    this.failure = null;
    this.preview = preview;
    this.phase = "preview";
  }

  /** "Undo this import" on a replace's result: the territories it took away come back. */
  async undo(): Promise<string | null> {
    const importId = this.result?.importId;
    if (!importId || this.result?.undone) return null;
    const error = await this.undoWith({ kind: "territories", importId });
    if (!error && this.result) this.result = { ...this.result, undone: true };
    return error;
  }

  async setMode(mode: "add" | "replace"): Promise<void> {
    if (mode === this.mode) return;
    this.mode = mode;
    if (this.file && this.phase === "preview") await this.check();
  }

  async confirm(): Promise<void> {
    if (!this.canConfirm) return;
    const answer = await this.sendImport(
      territoriesImportUrl(this.planId, { dryRun: false, mode: this.mode, skipInvalid: this.skipInvalid }),
    );
    if (!answer) return;
    if (accepted(answer)) {
      const b = (answer.body ?? {}) as { imported?: unknown; importId?: unknown };
      const imported = typeof b.imported === "number" ? b.imported : (this.preview?.valid ?? 0);
      this.result = { imported, ...(typeof b.importId === "string" ? { importId: b.importId } : {}) };
      this.phase = "done";
      return;
    }
    this.failure = failureOf(answer);
    this.phase = "preview";
  }
}
