import type * as Y from "yjs";
import { type EntryAddress, type EntryMap, readEntry, writeEntry } from "../../shared/doc/entries.ts";
import type { Origin } from "../../shared/doc/origins.ts";
import { pinsMap, territoriesMap, unitsMap } from "../../shared/doc/schema.ts";

/**
 * Server-side undo (issue 13): a step the server takes for a person — an
 * accepted proposal, a restored version (issue 14); an accepted suggestion
 * later — keeps its inverse in the room, so that it can be taken back while
 * others go on editing. Taking it back puts each entry back only where it
 * still holds what the step wrote: whatever someone changed since is theirs,
 * left as it is and reported.
 *
 * Entries are the document's flat entries (shared/doc/entries.ts): which
 * unit is whose, which account is pinned where, plan settings, and each
 * field of a territory. A territory the step created or deleted comes back
 * or goes whole or not at all, so taking a step back never leaves half a
 * territory.
 */
export type UndoableMap = EntryMap;

/** One entry a step wrote: its value before and the value written (null: no entry). */
export interface EntryChange extends EntryAddress {
  before: string | null;
  after: string | null;
  /**
   * A territory's field: whether the territory existed before the step and
   * after it (a step that writes only some fields of a territory says
   * nothing about the others, so this is kept rather than guessed).
   */
  territory?: { before: boolean; after: boolean };
}

/** A write a step asks for (null: remove the entry). */
export interface EntryWrite extends EntryAddress {
  value: string | null;
}

export interface UndoResult {
  /** Entries put back as they were. */
  reverted: EntryChange[];
  /** Entries left as they are: someone changed them since, or their old value may not come back. */
  kept: EntryChange[];
}

/**
 * Whether an entry's old value may come back; `exists` says whether a
 * territory will exist once the step is taken back (a step that deleted
 * one brings it back with its units).
 */
export type CanRestore = (c: EntryChange, exists: (territoryId: string) => boolean) => boolean;

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
   * (entries that already held their value are no change); `also` writes
   * what the step does besides entries (a data version) in the same change.
   * Resolves with the changes once they are on disk.
   */
  async apply(
    id: string,
    origin: Origin,
    writes: readonly EntryWrite[],
    also?: (doc: Y.Doc) => void,
  ): Promise<EntryChange[]> {
    const changes: EntryChange[] = [];
    await this.change(origin, (doc) => {
      const territories = territoriesMap(doc);
      const existed = new Map<string, boolean>();
      for (const w of writes) {
        const { value, ...at } = w;
        if (at.map === "territories" && !existed.has(at.key)) existed.set(at.key, territories.has(at.key));
        const before = readEntry(doc, at);
        if (before === value) continue;
        writeEntry(doc, at, value);
        changes.push({ ...at, before, after: value });
      }
      for (const c of changes) {
        if (c.map === "territories")
          c.territory = { before: existed.get(c.key) ?? false, after: territories.has(c.key) };
      }
      also?.(doc);
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

  /** The changes of a step still held. */
  changesOf(id: string): readonly EntryChange[] | undefined {
    return this.steps.get(id);
  }

  forget(id: string): void {
    this.steps.delete(id);
  }

  /**
   * Takes step `id` back in one change: every entry that still holds what
   * the step wrote returns to what it was before, unless `canRestore` says
   * its old value may not come back (a unit's territory deleted since). A
   * territory the step created or deleted is taken back whole, only when
   * every field of it still holds what the step wrote (and, for one it
   * created, once no unit or pin names it any more); a territory deleted by
   * someone else since keeps its fields as they are. `also` writes what the
   * step's undo does besides entries, in the same change. The step is
   * forgotten. Null when there is no such step.
   */
  async revert(
    id: string,
    origin: Origin,
    canRestore: CanRestore = () => true,
    also?: (doc: Y.Doc) => void,
  ): Promise<UndoResult | null> {
    const changes = this.steps.get(id);
    if (!changes) return null;
    // Decided and written synchronously (room.change transacts at once), so no edit falls in between.
    const back = this.decide(changes, canRestore);
    this.steps.delete(id);
    const reverted = changes.filter((c) => back.has(c));
    const kept = changes.filter((c) => !back.has(c));
    if (reverted.length > 0 || also) {
      await this.change(origin, (doc) => {
        for (const c of reverted) writeEntry(doc, c, c.before);
        also?.(doc);
      });
    }
    return { reverted, kept };
  }

  /** Which of a step's changes may be taken back now (see revert). */
  private decide(changes: readonly EntryChange[], canRestore: CanRestore): Set<EntryChange> {
    const doc = this.doc;
    const holds = (c: EntryChange) => readEntry(doc, c) === c.after;
    const territories = territoriesMap(doc);
    const groups = new Map<string, EntryChange[]>();
    for (const c of changes) {
      if (c.map !== "territories") continue;
      const list = groups.get(c.key);
      if (list) list.push(c);
      else groups.set(c.key, [c]);
    }
    const back = new Set<EntryChange>();
    /** Territories the revert creates (true) or deletes (false). */
    const whole = new Map<string, boolean>();
    for (const [tid, group] of groups) {
      const existed = group[0]?.territory?.before ?? group.some((c) => c.before !== null);
      const made = group[0]?.territory?.after ?? group.some((c) => c.after !== null);
      const existsNow = territories.has(tid);
      if (existed !== made) {
        if (existsNow === made && group.every(holds)) {
          for (const c of group) back.add(c);
          whole.set(tid, existed);
        }
      } else if (existsNow) {
        for (const c of group) if (holds(c)) back.add(c);
      }
    }
    const exists = (tid: string) => whole.get(tid) ?? territories.has(tid);
    for (const c of changes) {
      if (c.map === "territories") continue;
      if (holds(c) && canRestore(c, exists)) back.add(c);
    }
    // A territory the step made is not taken away from under units or pins that name it after the revert.
    const deleted = new Set([...whole].filter(([, made]) => !made).map(([tid]) => tid));
    if (deleted.size > 0) {
      const after = new Map<string, string | null>();
      for (const c of back) if (c.map === "units" || c.map === "pins") after.set(`${c.map}:${c.key}`, c.before);
      const named = new Set<string>();
      for (const [map, m] of [
        ["units", unitsMap(doc)],
        ["pins", pinsMap(doc)],
      ] as const) {
        m.forEach((tid, key) => {
          const k = `${map}:${key}`;
          const t = after.has(k) ? after.get(k) : tid;
          if (typeof t === "string" && deleted.has(t)) named.add(t);
        });
      }
      for (const tid of named) for (const c of groups.get(tid) ?? []) back.delete(c);
    }
    return back;
  }
}
