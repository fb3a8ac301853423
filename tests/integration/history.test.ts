import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { deleteTerritory, readTerritoryList, updateTerritory, writeTerritory } from "../../shared/doc/schema.ts";
import type { HistoryEntry, HistoryPage } from "../../shared/history/history.ts";
import { circleRing, polygon, square } from "../fixtures/shapes.ts";
import {
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  type LinkRole,
  newPerson,
  type ServerProcess,
  serversPerTest,
} from "./harness.ts";

/**
 * Replay's history (issue 14): what the server keeps of a session, read
 * back through GET /api/plans/:id/history by any link, is the session as it
 * happened: each edit with its time and its author, across compactions,
 * restarts and a kill -9.
 */
const startServer = serversPerTest();
/** Compactions after a few hundred bytes, so a short session spans several generations. */
const COMPACTING = { COMPACT_LOG_BYTES: "300", COMPACT_WAIT_MS: "10", COMPACT_MAX_WAIT_MS: "30" };

interface Manager {
  name: string;
  doc: Y.Doc;
  destroy(): void;
}

/** A manager's stock y-websocket client, as their browser connects: their link, person id and name. */
async function connectAs(
  server: ServerProcess,
  plan: CreatedPlan,
  name: string,
  role: LinkRole = "edit",
): Promise<Manager> {
  const person = await newPerson(server);
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/sync`, plan.id, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    params: { token: plan.tokens[role], person: person.id, secret: person.secret, name },
  });
  await eventually(() => expect(provider.synced).toBe(true));
  return {
    name,
    doc,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

function territory(id: string, name: string, west: number) {
  return { id, name, color: "#1b9e77", reps: [], targets: {}, parent: null, geometry: square(west, -6.5) };
}

/** Every page of the history from `from` to `to`, as the view link reads it. */
async function readHistory(
  server: ServerProcess,
  plan: CreatedPlan,
  query: { from?: string; to?: string } = {},
): Promise<{ pages: HistoryPage[]; entries: HistoryEntry[] }> {
  const pages: HistoryPage[] = [];
  let from: string | null = query.from ?? null;
  for (;;) {
    const params = new URLSearchParams({ token: plan.tokens.view });
    if (from) params.set("from", from);
    if (query.to) params.set("to", query.to);
    const res = await fetch(`${server.url}/api/plans/${plan.id}/history?${params}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as HistoryPage;
    pages.push(page);
    if (!page.next) break;
    from = page.next;
  }
  return { pages, entries: pages.flatMap((p) => p.entries) };
}

/** The territories' names a replay shows at `at`: the snapshot and every update up to then, on a fresh document. */
function namesAt(entries: readonly HistoryEntry[], at: string): Record<string, string> {
  const doc = new Y.Doc();
  for (const e of entries) {
    if (e.kind === "snapshot") Y.applyUpdate(doc, Buffer.from(e.state, "base64"));
    else if (e.kind === "update" && e.at <= at) Y.applyUpdate(doc, Buffer.from(e.update, "base64"));
  }
  return names(doc);
}

const names = (doc: Y.Doc) => Object.fromEntries(readTerritoryList(doc).map((t) => [t.id, t.name]));

/** A moment strictly between two edits: the edits' times are milliseconds apart at least. */
async function moment(): Promise<string> {
  await new Promise((r) => setTimeout(r, 5));
  const at = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  return at;
}

describe("history for replay (GET /api/plans/:id/history)", () => {
  it("keeps two managers' edits with their authors; the state rebuilt at a moment is the plan as it was", async () => {
    const server = await startServer({ env: COMPACTING });
    const plan = await createPlanWithLinks(server);
    const ani = await connectAs(server, plan, "Ani");
    const budi = await connectAs(server, plan, "Budi");
    const seen: { at: string; names: Record<string, string> }[] = [];
    const step = async (who: Manager, other: Manager, edit: (doc: Y.Doc) => void) => {
      transact(who.doc, LOCAL_EDIT, () => edit(who.doc));
      const expected = names(who.doc);
      await eventually(() => expect(names(other.doc)).toEqual(expected));
      seen.push({ at: await moment(), names: expected });
    };
    seen.push({ at: await moment(), names: {} });
    await step(ani, budi, (d) => writeTerritory(d, territory("west", "West", 106)));
    await step(budi, ani, (d) => writeTerritory(d, territory("east", "East", 107)));
    await step(ani, budi, (d) => updateTerritory(d, "east", { name: "East Java" }));
    await step(budi, ani, (d) => updateTerritory(d, "west", { name: "West Java" }));
    await step(ani, budi, (d) => deleteTerritory(d, "east"));
    // The analysis of the session's end (GET …/analysis waits for it), whose score the history keeps.
    const analysis = await fetch(`${server.url}/api/plans/${plan.id}/analysis?token=${plan.tokens.view}`);
    expect(analysis.status).toBe(200);
    ani.destroy();
    budi.destroy();

    const { entries } = await readHistory(server, plan);
    const updates = entries.filter((e) => e.kind === "update");
    expect(updates.length).toBeGreaterThanOrEqual(5);
    expect(new Set(updates.map((e) => e.by?.name))).toEqual(new Set(["Ani", "Budi"]));
    expect(updates.every((e) => e.by?.role === "edit")).toBe(true);
    // Times in order, each within the session.
    const times = updates.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    for (const s of seen) expect(namesAt(entries, s.at), `the plan at ${s.at}`).toEqual(s.names);
    // The feed's entries ride along, with who made them.
    const activity = entries.filter((e) => e.kind === "activity");
    expect(activity.map((e) => e.by.name)).toContain("Budi");
    // And the balance score as scoring found it (the scoring worker answers in its own time).
    await eventually(async () => {
      const scores = (await readHistory(server, plan)).entries.filter((e) => e.kind === "score");
      expect(scores.some((e) => e.score !== null)).toBe(true);
    }, 30_000);

    // Reading from a moment: starts where a replay can (a snapshot or the start) and rebuilds the same.
    const later = await readHistory(server, plan, { from: seen[3]?.at });
    expect(namesAt(later.entries, seen[4]?.at as string)).toEqual(seen[4]?.names);
    // Reading up to a moment leaves out what came after.
    const upTo = await readHistory(server, plan, { to: seen[2]?.at });
    expect(namesAt(upTo.entries, "9999")).toEqual(seen[2]?.names);
  });

  it("pages a large session, each page bounded, the next page continuing the last", async () => {
    const server = await startServer({ env: COMPACTING });
    const plan = await createPlanWithLinks(server);
    const ani = await connectAs(server, plan, "Ani");
    const budi = await connectAs(server, plan, "Budi");
    // Eight reshapes of 40,000 vertices each (a few hundred KB as the codec stores them): several pages.
    for (let i = 0; i < 8; i++) {
      transact(ani.doc, LOCAL_EDIT, () =>
        writeTerritory(ani.doc, {
          ...territory("big", `Big ${i}`, 106),
          geometry: polygon(circleRing(40_000, 106 + i * 0.01, -6.5, 0.3)),
        }),
      );
      await eventually(() => expect(names(budi.doc).big).toBe(`Big ${i}`));
    }
    const end = await moment();
    ani.destroy();
    budi.destroy();
    const { pages, entries } = await readHistory(server, plan, { to: end });
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages) {
      const bytes = p.entries.reduce(
        (n, e) => n + (e.kind === "update" ? e.update.length : e.kind === "snapshot" ? e.state.length : 0),
        0,
      );
      // A page holds about a megabyte of updates (base64: 4/3), one entry more at most.
      expect(bytes).toBeLessThan(1.5 * 1024 * 1024 * (4 / 3));
    }
    expect(namesAt(entries, end)).toEqual({ big: "Big 7" });
  });

  it("survives compaction and a restart; a kill -9 loses no acknowledged edit's history", async () => {
    const first = await startServer({ env: COMPACTING });
    const plan = await createPlanWithLinks(first);
    let ani = await connectAs(first, plan, "Ani");
    let budi = await connectAs(first, plan, "Budi");
    for (let i = 0; i < 12; i++) {
      const [who, other] = i % 2 ? [budi, ani] : [ani, budi];
      transact(who.doc, LOCAL_EDIT, () => writeTerritory(who.doc, territory(`t${i}`, `T${i}`, 100 + i)));
      await eventually(() => expect(names(other.doc)[`t${i}`]).toBe(`T${i}`));
    }
    ani.destroy();
    budi.destroy();
    // The room unloads (compacting) once both have left; then a clean restart.
    const dir = path.join(first.dataDir, "plans", plan.id, "history");
    await eventually(async () => expect((await fs.readdir(dir)).some((f) => f.endsWith(".log"))).toBe(true));
    const before = await readHistory(first, plan);
    await first.kill("SIGTERM");
    const second = await startServer({ dataDir: first.dataDir, env: COMPACTING });
    const after = await readHistory(second, plan);
    expect(after.entries.filter((e) => e.kind === "update").map((e) => [e.at, e.by?.name])).toEqual(
      before.entries.filter((e) => e.kind === "update").map((e) => [e.at, e.by?.name]),
    );
    expect(Object.keys(namesAt(after.entries, "9999"))).toHaveLength(12);

    // Edits acknowledged (relayed to the other socket), then kill -9 at once.
    ani = await connectAs(second, plan, "Ani");
    budi = await connectAs(second, plan, "Budi");
    for (let i = 0; i < 6; i++) {
      transact(budi.doc, LOCAL_EDIT, () => updateTerritory(budi.doc, `t${i}`, { name: `Renamed ${i}` }));
    }
    await eventually(() => expect(names(ani.doc).t5).toBe("Renamed 5"));
    await second.kill("SIGKILL");
    ani.destroy();
    budi.destroy();
    const third = await startServer({ dataDir: first.dataDir, env: COMPACTING });
    const crashed = await readHistory(third, plan);
    const final = namesAt(crashed.entries, "9999");
    for (let i = 0; i < 6; i++) expect(final[`t${i}`]).toBe(`Renamed ${i}`);
    const renames = crashed.entries.filter((e) => e.kind === "update" && e.by?.name === "Budi");
    expect(renames.length).toBeGreaterThanOrEqual(6 + 6);
  });

  it("answers any link, and 400 for times that do not read", async () => {
    const server = await startServer();
    const plan = await createPlanWithLinks(server);
    for (const role of ["edit", "comment", "view"] as const) {
      const res = await fetch(`${server.url}/api/plans/${plan.id}/history?token=${plan.tokens[role]}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ entries: [], next: null });
    }
    expect((await fetch(`${server.url}/api/plans/${plan.id}/history`)).status).toBe(401);
    for (const q of ["from=yesterday", "to=soon", "from=2026-12-05T10:00:00Z&to=2026-12-05T09:00:00Z", "from=g1.2"]) {
      const res = await fetch(`${server.url}/api/plans/${plan.id}/history?token=${plan.tokens.view}&${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/from|to/);
    }
  });
});
