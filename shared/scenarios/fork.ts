import * as Y from "yjs";
import { writeEntry } from "../doc/entries.ts";
import { STORAGE, transact } from "../doc/origins.ts";
import { writeAccountsVersion, writeCompetitorsVersion, writePlanName, writeUnitsVersion } from "../doc/schema.ts";
import { restoreWrites } from "../versions/restore.ts";
import type { VersionContent } from "../versions/content.ts";

/**
 * The document of a new scenario (issue 14): a fresh plan document holding
 * `content` — the origin now, or one of its versions — with the same
 * territory ids, unit keys and pins, the data versions it names (the
 * scenario is given the same accounts, competitors and unit layer under
 * those numbers), and the scenario's own name. It is written as the
 * restore of a version onto an empty plan is (shared/versions/restore.ts),
 * so a fork holds exactly what a version holds and nothing of the origin's
 * history. Returns the Yjs update to store as the plan's first.
 *
 * @example
 * const update = forkUpdate(contentOf(originDoc, refs), "Q3 what-if");
 */
export function forkUpdate(content: VersionContent, name: string): Uint8Array {
  const doc = new Y.Doc();
  transact(doc, STORAGE, () => {
    for (const w of restoreWrites(doc, content)) {
      const { value, ...at } = w;
      writeEntry(doc, at, value);
    }
    writePlanName(doc, name);
    if (content.accountsVersion > 0) writeAccountsVersion(doc, content.accountsVersion);
    if (content.competitorsVersion > 0) writeCompetitorsVersion(doc, content.competitorsVersion);
    if (content.unitsVersion > 0) writeUnitsVersion(doc, content.unitsVersion);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
