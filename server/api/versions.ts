import type { Author } from "../../shared/comments/comments.ts";
import type { StoredVersion } from "../persistence/store.ts";
import { VersionError } from "../versions/errors.ts";
import type { Versions } from "../versions/versions.ts";
import type { PlanApi } from "./context.ts";
import { HttpError, readJson, sendJson, sendLargeJsonText } from "./http.ts";
import type { Router } from "./router.ts";

/** Bodies of versions calls are small JSON objects; a larger one is refused before it is read. */
const MAX_BODY = 64 * 1024;

/** A version as the API lists it. */
function shown(v: StoredVersion) {
  return {
    id: v.id,
    name: v.name,
    at: v.at,
    by: v.by,
    auto: v.auto,
    summary: v.summary,
    reason: v.reason,
    bytes: v.bytes,
    ...(v.restoredFrom ? { restoredFrom: v.restoredFrom } : {}),
    ...(v.damaged ? { damaged: v.damaged } : {}),
  };
}

/**
 * Versions over REST (issue 14; server/README.md documents each call):
 * save, list, delete, open (territories, analysis), compare, restore and
 * take a restore back. Any link lists, opens and compares; only an edit
 * link saves, deletes and restores.
 */
export function versionRoutes(router: Router, api: PlanApi, versions: Versions): void {
  const base = "/api/plans/:id/versions";

  router.on("POST", base, async (req, res, { id }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "save a version");
    const body = (await readJson(req, MAX_BODY)) as { name?: unknown } | null;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'Send a JSON object like {"name": "Before the Q3 meeting"}.');
    }
    const v = await api.withRoom(id as string, (room) => refusals(() => versions.save(room, caller.actor, body.name)));
    sendJson(res, 201, { id: v.id, name: v.name, at: v.at, by: v.by, auto: false, summary: v.summary });
  });

  router.on("GET", base, async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const list = await api.withRoom(id as string, async (room) => refusals(async () => versions.list(room)));
    sendJson(res, 200, { versions: list.map(shown) });
  });

  router.on("DELETE", `${base}/:vid`, async (req, res, { id, vid }, url) => {
    await api.authorize(req, url, id as string, "edit-plan", "delete a version");
    await api.withRoom(id as string, (room) => refusals(() => versions.remove(room, vid as string)));
    res.writeHead(204).end();
  });

  // Opened and compared in the jobs worker, which hands back JSON: the event loop only frames and sends it.
  router.on("GET", `${base}/:vid/territories`, async (req, res, { id, vid }, url) => {
    await api.authorize(req, url, id as string);
    const { entry, view } = await api.withRoom(id as string, (room) =>
      refusals(() => versions.view(room, vid as string)),
    );
    const text = `{"type":"FeatureCollection","version":${JSON.stringify(about(entry))},"features":${view.features}}`;
    await sendLargeJsonText(req, res, 200, text);
  });

  router.on("GET", `${base}/:vid/analysis`, async (req, res, { id, vid }, url) => {
    await api.authorize(req, url, id as string);
    const { entry, view } = await api.withRoom(id as string, (room) =>
      refusals(() => versions.view(room, vid as string)),
    );
    const extra = JSON.stringify({ accountsVersion: entry.refs.accounts, version: about(entry) });
    await sendLargeJsonText(req, res, 200, joinObjects(view.analysis, extra));
  });

  router.on("GET", "/api/plans/:id/compare", async (req, res, { id }, url) => {
    await api.authorize(req, url, id as string);
    const from = url.searchParams.get("from");
    const to = url.searchParams.get("to") ?? "current";
    if (!from) {
      throw new HttpError(
        400,
        "Say which versions to compare: ?from=<version id>&to=<version id, or current for the plan now>.",
      );
    }
    const comparison = await api.withRoom(id as string, (room) => refusals(() => versions.compare(room, from, to)));
    await sendLargeJsonText(req, res, 200, joinObjects(JSON.stringify({ from, to }), comparison));
  });

  router.on("POST", `${base}/:vid/restore`, async (req, res, { id, vid }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "restore a version");
    const body = await readJson(req, MAX_BODY);
    const answer = await api.withRoom(id as string, (room) =>
      refusals(() => versions.restore(room, vid as string, caller.actor, body)),
    );
    sendJson(res, 200, answer);
  });

  router.on("POST", "/api/plans/:id/restores/:rid/undo", async (req, res, { id, rid }, url) => {
    const caller = await api.authorize(req, url, id as string, "edit-plan", "take a restore back");
    const answer = await api.withRoom(id as string, (room) =>
      refusals(() => versions.undoRestore(room, rid as string, caller.actor)),
    );
    sendJson(res, 200, answer);
  });
}

/** Two JSON objects' members in one object (`{"a":1}` and `{"b":2}` → `{"a":1,"b":2}`), without parsing either. */
function joinObjects(a: string, b: string): string {
  return b === "{}" ? a : a === "{}" ? b : `${a.slice(0, -1)},${b.slice(1)}`;
}

function about(v: StoredVersion): { id: string; name: string; at: string; by: Author; auto: boolean } {
  return { id: v.id, name: v.name, at: v.at, by: v.by, auto: v.auto };
}

/** Runs `fn`; a versions (or scenarios) refusal becomes its HTTP answer. */
export async function refusals<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof VersionError) throw new HttpError(e.status, e.message, e.details);
    throw e;
  }
}
