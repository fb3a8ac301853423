import type { Author } from "../../../shared/comments/comments.ts";
import type { HistoryQuery } from "../../../shared/history/history.ts";
import {
  HISTORY_POLICY,
  type HistoryPolicy,
  type HistorySegment,
  segmentsToDrop,
  wantsSnapshot,
} from "../../../shared/history/policy.ts";
import type { RawHistoryEntry, RawHistoryPage } from "../history-files.ts";
import { checksum, intact, type Queryable } from "./db.ts";
import { logger } from "../../ops/log.ts";

const historyLog = logger("history");

/**
 * A document's history for replay in PostgreSQL (issue 14's HistoryFiles):
 * the update log itself. A compaction does not delete the rows it folds
 * into the snapshot; it moves the document to a new generation, and the
 * rows of older generations are the sealed segments. Now and then (the
 * shared policy, shared/history/policy.ts) the state at the start of a
 * generation is kept in `history_snapshots`; the same policy lets whole runs
 * go by age and size, moving `documents.history_from` past them. Paging and
 * cursors are the file store's: a cursor is (generation, index in it).
 */

/** The sealed segments `from … gen-1` of a document, as the policy reads them. */
async function segments(db: Queryable, planId: string, name: string, from: number, gen: number) {
  const counts = await db.query<{ gen: number; n: number; bytes: string; first: number | null; last: number | null }>(
    `SELECT gen, count(*)::int AS n, sum(octet_length(bytes)) AS bytes, min(at) AS first, max(at) AS last
       FROM updates WHERE plan_id = $1 AND name = $2 AND gen >= $3 AND gen < $4 GROUP BY gen`,
    [planId, name, from, gen],
  );
  const snaps = await db.query<{ gen: number; at: number; bytes: number }>(
    `SELECT gen, at, octet_length(state) AS bytes FROM history_snapshots
      WHERE plan_id = $1 AND name = $2 AND gen >= $3 AND gen < $4`,
    [planId, name, from, gen],
  );
  const byGen = new Map(counts.rows.map((r) => [r.gen, r]));
  const snapByGen = new Map(snaps.rows.map((r) => [r.gen, r]));
  const out: HistorySegment[] = [];
  for (let g = from; g < gen; g++) {
    const c = byGen.get(g);
    const s = snapByGen.get(g);
    out.push({
      gen: g,
      snapshot: s !== undefined,
      snapshotBytes: s?.bytes ?? 0,
      snapshotAt: s?.at ?? null,
      first: c?.first ?? null,
      last: c?.last ?? null,
      updates: c?.n ?? 0,
      bytes: Number(c?.bytes ?? 0),
    });
  }
  return out;
}

/**
 * A compaction's step in the caller's transaction: the document becomes
 * `state` at generation `gen` (rows of earlier generations become history),
 * `state` is kept as a snapshot when the policy wants one, and runs the
 * policy lets go are deleted.
 */
export async function compactDocument(
  db: Queryable,
  planId: string,
  name: string,
  gen: number,
  state: Uint8Array,
  at: number,
  policy: HistoryPolicy = HISTORY_POLICY,
): Promise<void> {
  const doc = await db.query<{ history_from: number }>(
    "SELECT history_from FROM documents WHERE plan_id = $1 AND name = $2 FOR UPDATE",
    [planId, name],
  );
  let from = doc.rows[0]?.history_from ?? 0;
  const sealed = await segments(db, planId, name, from, gen);
  if (wantsSnapshot(sealed, gen, state.length, policy)) {
    await db.query(
      `INSERT INTO history_snapshots (plan_id, name, gen, at, state, crc) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (plan_id, name, gen) DO UPDATE SET at = EXCLUDED.at, state = EXCLUDED.state, crc = EXCLUDED.crc`,
      [planId, name, gen, at, Buffer.from(state), checksum(state)],
    );
  }
  const drop = segmentsToDrop(sealed, at, policy);
  if (drop.length > 0) {
    await db.query("DELETE FROM updates WHERE plan_id = $1 AND name = $2 AND gen = ANY($3::int[])", [
      planId,
      name,
      drop,
    ]);
    await db.query("DELETE FROM history_snapshots WHERE plan_id = $1 AND name = $2 AND gen = ANY($3::int[])", [
      planId,
      name,
      drop,
    ]);
    from = Math.max(...drop) + 1;
  }
  await db.query(
    `INSERT INTO documents (plan_id, name, gen, snapshot, crc, history_from) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (plan_id, name) DO UPDATE
       SET gen = EXCLUDED.gen, snapshot = EXCLUDED.snapshot, crc = EXCLUDED.crc, history_from = EXCLUDED.history_from`,
    [planId, name, gen, Buffer.from(state), checksum(state), from],
  );
}

/** Rows of one generation read at a time (bounded memory on long segments). */
const CHUNK = 1000;

/** One page of a document's history, as HistoryFiles.page reads it from the files. */
export async function historyPage(
  db: Queryable,
  planId: string,
  name: string,
  query: HistoryQuery,
  maxBytes: number,
): Promise<RawHistoryPage> {
  const doc = await db.query<{ gen: number; history_from: number }>(
    "SELECT gen, history_from FROM documents WHERE plan_id = $1 AND name = $2",
    [planId, name],
  );
  const first = doc.rows[0]?.history_from ?? 0;
  const newest = await db.query<{ gen: number | null }>(
    "SELECT max(gen) AS gen FROM updates WHERE plan_id = $1 AND name = $2",
    [planId, name],
  );
  const last = Math.max(doc.rows[0]?.gen ?? 0, newest.rows[0]?.gen ?? 0);
  const snaps = await db.query<{ gen: number; at: number }>(
    "SELECT gen, at FROM history_snapshots WHERE plan_id = $1 AND name = $2 AND gen >= $3",
    [planId, name, first],
  );
  const snapAt = new Map(snaps.rows.map((r) => [r.gen, r.at]));
  const gens: number[] = [];
  for (let g = first; g <= last; g++) gens.push(g);
  // Runs: where a replay can start (a snapshot, or gen 0's empty document), with a time to choose by.
  const starts: { i: number; at: number }[] = [];
  gens.forEach((g, i) => {
    const at = snapAt.get(g);
    if (at !== undefined) starts.push({ i, at });
    else if (g === 0 || i === 0) starts.push({ i, at: Number.NEGATIVE_INFINITY });
  });
  const entries: RawHistoryEntry[] = [];
  const pushSnapshot = async (gen: number): Promise<boolean> => {
    const { rows } = await db.query<{ at: number; state: Buffer; crc: string }>(
      "SELECT at, state, crc FROM history_snapshots WHERE plan_id = $1 AND name = $2 AND gen = $3",
      [planId, name, gen],
    );
    const row = rows[0];
    if (!row) return true;
    if (!intact(row.state, row.crc)) {
      historyLog.error(
        { planId, document: name, gen },
        "a history snapshot fails its checksum; replay starts from the run before it",
      );
      return false;
    }
    entries.push({ kind: "snapshot", at: row.at, by: null, bytes: new Uint8Array(row.state) });
    return true;
  };
  let partIndex: number;
  let recordIndex = 0;
  if (query.cursor) {
    partIndex = gens.indexOf(query.cursor.gen);
    recordIndex = query.cursor.index;
    if (partIndex === -1) {
      // That part was let go since: start again from the oldest run kept.
      partIndex = starts[0]?.i ?? gens.length;
      recordIndex = 0;
      if (partIndex < gens.length) await pushSnapshot(gens[partIndex] as number);
    }
  } else {
    let chosen = starts[0];
    for (const s of starts) if (s.at <= query.from) chosen = s;
    partIndex = chosen?.i ?? gens.length;
    if (partIndex < gens.length && !(await pushSnapshot(gens[partIndex] as number))) {
      // A damaged snapshot: the run before it still replays to here.
      const earlier = starts.filter((s) => s.i < partIndex).at(-1);
      partIndex = earlier?.i ?? partIndex;
      if (earlier) await pushSnapshot(gens[partIndex] as number);
    }
  }
  let bytes = entries.reduce((n, e) => n + e.bytes.length, 0);
  let lastAt = entries.at(-1)?.at ?? 0;
  for (; partIndex < gens.length; partIndex++, recordIndex = 0) {
    const gen = gens[partIndex] as number;
    for (let offset = recordIndex; ; offset += CHUNK) {
      const { rows } = await db.query<{
        id: string;
        bytes: Buffer;
        crc: string;
        at: number | null;
        author: string | null;
      }>(
        `SELECT id, bytes, crc, at, author FROM updates WHERE plan_id = $1 AND name = $2 AND gen = $3
          ORDER BY id OFFSET $4 LIMIT $5`,
        [planId, name, gen, offset, CHUNK],
      );
      for (let j = 0; j < rows.length; j++) {
        const row = rows[j] as (typeof rows)[number];
        if (!intact(row.bytes, row.crc)) {
          historyLog.error(
            { planId, document: name, update: row.id },
            "an update fails its checksum; replay stops before it",
          );
          return { entries, next: null };
        }
        const at = row.at ?? lastAt;
        if (at > query.to) return { entries, next: null };
        if (bytes >= maxBytes && entries.length > 0)
          return { entries, next: { gen, index: offset + j, after: lastAt } };
        entries.push({ kind: "update", at, by: authorOf(row.author), bytes: new Uint8Array(row.bytes) });
        bytes += row.bytes.length;
        lastAt = at;
      }
      if (rows.length < CHUNK) break;
    }
  }
  return { entries, next: null };
}

/** An update's author as stored (JSON); null when none or unreadable (the update itself is checked, its author only shown). */
function authorOf(text: string | null): Author | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as Author;
  } catch {
    return null;
  }
}
