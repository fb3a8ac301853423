import type * as Y from "yjs";
import type { Author } from "../comments/comments.ts";

/**
 * Why a transaction happened. Every change to a plan document carries one
 * (Hocuspocus does the same), so persistence, undo and the activity feed can
 * tell who did what and skip echoes.
 */
export type Origin =
  /** An edit by the person using this browser: the undo manager tracks only these. */
  | { readonly kind: "local-edit" }
  /** Server: an update received over a sync socket. */
  | { readonly kind: "connection"; readonly connectionId: string }
  /** Server: a REST call, by whom (the link's role and the name sent with it) when known. */
  | { readonly kind: "rest"; readonly method: string; readonly path: string; readonly actor?: Author }
  /** Server: loaded from storage; never persisted again, never relayed. */
  | { readonly kind: "storage" }
  /** Server: made by the server itself (demo plan, migrations). */
  | { readonly kind: "system"; readonly reason: string }
  /**
   * Server: one step the server takes for a person (an accepted proposal,
   * taking it back): the feed records the step's own entry, never the unit
   * edits inside it as someone's paint strokes.
   */
  | { readonly kind: "step"; readonly step: string; readonly actor: Author };

/** The single origin object for local edits; Y.UndoManager compares origins by identity. */
export const LOCAL_EDIT: Origin = Object.freeze({ kind: "local-edit" });

export const STORAGE: Origin = Object.freeze({ kind: "storage" });

/** Runs `fn` as one Yjs transaction tagged with `origin`. */
export function transact<T>(doc: Y.Doc, origin: Origin, fn: () => T): T {
  let result: T | undefined;
  doc.transact(() => {
    result = fn();
  }, origin);
  return result as T;
}

export function isOrigin(value: unknown): value is Origin {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}
