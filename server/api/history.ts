import type { ActivityEntry } from "../../shared/activity/activity.ts";
import {
  HISTORY_PAGE_BYTES,
  type HistoryEntry,
  formatCursor,
  parseHistoryQuery,
} from "../../shared/history/history.ts";
import { type PlanApi, unreadable } from "./context.ts";
import { HttpError, sendJson } from "./http.ts";
import type { Router } from "./router.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

/**
 * GET /api/plans/:id/history?from=&to= (issue 14, replay; server/README.md,
 * "History (replay)"): any link. Serves the stored bytes as they are (the
 * snapshot and updates, base64) with the feed entries and scores of the
 * page's span; nothing is decoded or rebuilt here: the browser does that.
 */
export function historyRoutes(router: Router, api: PlanApi): void {
  router.on("GET", "/api/plans/:id/history", async (req, res, { id }, url) => {
    const planId = id as string;
    await api.authorize(req, url, planId);
    const parsed = parseHistoryQuery(url.searchParams.get("from"), url.searchParams.get("to"), Date.now());
    if (!parsed.ok) throw new HttpError(400, parsed.error);
    const query = parsed.query;
    const { store, activity } = api.ctx;
    let page: Awaited<ReturnType<typeof store.getHistory>>;
    let feed: ActivityEntry[];
    let scores: Awaited<ReturnType<typeof store.getScores>>;
    // The span this page covers for the feed and the scores: (after, end].
    const after = query.cursor ? query.cursor.after : query.from - 1;
    try {
      page = await store.getHistory(planId, "", query, HISTORY_PAGE_BYTES);
      const end = page.next ? page.next.after : query.to;
      const live = activity.get(planId);
      feed = live
        ? live.between(after, end)
        : (await store.getActivity(planId)).filter((e) => {
            const at = Date.parse(e.at);
            return at > after && at <= end;
          });
      scores = query.cursor
        ? (await store.getScores(planId, after, end)).filter((p) => p.at > after)
        : await store.getScores(planId, query.from, end);
    } catch (e) {
      throw unreadable(planId, e);
    }
    const entries: HistoryEntry[] = page.entries.map((e) =>
      e.kind === "snapshot"
        ? { at: iso(e.at), by: null, kind: "snapshot", state: base64(e.bytes) }
        : { at: iso(e.at), by: e.by, kind: "update", update: base64(e.bytes) },
    );
    const extra: HistoryEntry[] = [
      ...feed.map((entry): HistoryEntry => ({ at: entry.at, by: entry.actor, kind: "activity", entry })),
      ...scores.map((p): HistoryEntry => ({ at: iso(p.at), by: null, kind: "score", score: p.score })),
    ];
    // In time order; the document's entries keep their order (a snapshot first).
    const merged: HistoryEntry[] = [];
    let j = 0;
    extra.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    for (const e of entries) {
      while (j < extra.length && e.kind !== "snapshot" && (extra[j] as HistoryEntry).at < e.at)
        merged.push(extra[j++] as HistoryEntry);
      merged.push(e);
    }
    merged.push(...extra.slice(j));
    sendJson(res, 200, { entries: merged, next: page.next ? formatCursor(page.next) : null });
  });
}
