import type * as Y from "yjs";
import type { Origin } from "../../shared/doc/origins.ts";
import { pinsMap, unitsMap } from "../../shared/doc/schema.ts";

/**
 * Server-side undo (issue 13): a step the server takes for a person — an
 * accepted proposal now; a restored version or an accepted suggestion later
 * — keeps its inverse in the room, so that it can be taken back while others
 * go on editing. Taking it back puts each entry back only where it still
 * holds what the step wrote: whatever someone changed since is theirs, left
 * as it is and reported.
 *
 * Entries are those of the document's flat maps of strings (which unit is
 * whose, which account is pinned where); a step that changes territories'
 * fields would add their address here.
 */
export type UndoableMap = "units" | "pins";

/** One entry a step wrote: its value before and the value written (null: no entry). */
export interface EntryChange {
  map: UndoableMap;
  key: string;
  before: string | null;
  after: string | null;
}

/** A write a step asks for (null: remove the entry). */
export interface EntryWrite {
  map: UndoableMap;
  key: string;
  value: string | null;
}

export interface UndoResult {
  /** Entries put back as they were. */
  reverted: EntryChange[];
  /** Entries left as they are: someone changed them since, or their old value may not come back. */
  kept: EntryChange[];
}

function mapOf(doc: Y.Doc, name: UndoableMap): Y.Map<string> {
  return name === "units" ? unitsMap(doc) : pinsMap(doc);
}

function read(doc: Y.Doc, map: UndoableMap, key: string): string | null {
  const v = mapOf(doc, map).get(key);
  return typeof v === "string" ? v : null;
}

function put(doc: Y.Doc, map: UndoableMap, key: string, value: string | null): void {
  const m = mapOf(doc, map);
  if (value === null) m.delete(key);
  else m.set(key, value);
}

/**
 * One room's undoable server steps, by id. The room makes one
 * (`room.undo`); whoever takes a step keeps its changes durable itself (the
 * proposals file keeps an accepted proposal's) and hands them back with
 * `keep` when the room loads again.
 *
 * @example
 * const changes = await room.undo.apply("p-1", origin, [{ map: "units", key: "a1", value: "bogor" }]);
 * const { reverted, kept } = await room.undo.revert("p-1", origin);
 */
export class ServerUndo {
  private readonly steps = new Map<string, EntryChange[]>();

  constructor(
    /** The room's change: one transaction with an origin, resolved once on disk. */
    private readonly change: (origin: Origin, fn: (doc: Y.Doc) => void) => Promise<void>,
    private readonly doc: Y.Doc,
  ) {}

  /**
   * Writes entries in one change and keeps what it changed as step `id`
   * (entries that already held their value are no change). Resolves with the
   * changes once they are on disk.
   */
  async apply(id: string, origin: Origin, writes: readonly EntryWrite[]): Promise<EntryChange[]> {
    const changes: EntryChange[] = [];
    await this.change(origin, (doc) => {
      for (const w of writes) {
        const before = read(doc, w.map, w.key);
        if (before === w.value) continue;
        put(doc, w.map, w.key, w.value);
        changes.push({ map: w.map, key: w.key, before, after: w.value });
      }
    });
    this.steps.set(id, changes);
    return changes;
  }

  /** Keeps a step taken earlier (the room was loaded again). */
  keep(id: string, changes: EntryChange[]): void {
    this.steps.set(id, changes);
  }

  has(id: string): boolean {
    return this.steps.has(id);
  }

  forget(id: string): void {
    this.steps.delete(id);
  }

  /**
   * Takes step `id` back in one change: every entry that still holds what
   * the step wrote returns to what it was before, unless `canRestore` says
   * its old value may not come back (a unit's territory deleted since).
   * The step is forgotten. Null when there is no such step.
   */
  async revert(
    id: string,
    origin: Origin,
    canRestore: (c: EntryChange) => boolean = () => true,
  ): Promise<UndoResult | null> {
    const changes = this.steps.get(id);
    if (!changes) return null;
    const reverted: EntryChange[] = [];
    const kept: EntryChange[] = [];
    // Decided and written synchronously (room.change transacts at once), so no edit falls in between.
    for (const c of changes) {
      if (read(this.doc, c.map, c.key) === c.after && canRestore(c)) reverted.push(c);
      else kept.push(c);
    }
    this.steps.delete(id);
    if (reverted.length > 0) {
      await this.change(origin, (doc) => {
        for (const c of reverted) put(doc, c.map, c.key, c.before);
      });
    }
    return { reverted, kept };
  }
}
