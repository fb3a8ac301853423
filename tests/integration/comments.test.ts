import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { ActivityEntry, ActivityPage } from "../../shared/activity/activity.ts";
import type { CommentThread } from "../../shared/comments/comments.ts";
import { LOCAL_EDIT, transact } from "../../shared/doc/origins.ts";
import { readThreads, updateTerritory } from "../../shared/doc/schema.ts";
import { square } from "../fixtures/shapes.ts";
import {
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  startServerProcess,
  useServer,
  peopleOn,
  addTerritories,
  addAccounts,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

const server = useServer();

/** A plan with territories t1 (around 107,-7) and t2 (around 109,-7) and a few accounts in t1. */
async function plan(): Promise<CreatedPlan> {
  const p = await createPlanWithLinks(server, "Comments");
  await addTerritories(server, p.id, {
    type: "FeatureCollection",
    features: [
      { type: "Feature", id: "t1", properties: { name: "Bandung" }, geometry: square(107, -7, 1) },
      { type: "Feature", id: "t2", properties: { name: "Cirebon" }, geometry: square(109, -7, 1) },
    ],
  });
  const csv = [
    "id,name,lat,lon,revenue",
    "a1,Toko A,-6.5,107.5,100",
    "a2,Toko B,-6.5,107.2,50",
    "a3,Toko C,-6.5,107.95,25",
  ];
  await addAccounts(server, p.id, csv.join("\n"));
  return p;
}

/** The people of these tests by name, and REST calls as them. */
const { personNamed, as } = peopleOn(server);

describe("comments", () => {
  it("a rep pins a thread on a boundary; it reaches everyone live, tied to the territory there", async () => {
    const p = await plan();
    const leader = await RawClient.connect(`${server.wsUrl}/sync/${p.id}`, "view");
    try {
      const siti = as(p, "comment", "Siti");
      // Just outside t1's east edge (108, -6.5): the nearest boundary is t1's.
      const created = await siti("POST", "/comments", { text: "These outlets are ours", at: [108.005, -6.5] });
      expect(created.status).toBe(201);
      const thread = created.body as unknown as CommentThread;
      expect(thread).toMatchObject({
        text: "These outlets are ours",
        territoryId: "t1",
        author: { id: (await personNamed("Siti")).id, name: "Siti", role: "comment" },
        resolved: null,
        replies: [],
      });
      await eventually(() => expect(readThreads(leader.doc).map((t) => t.text)).toEqual(["These outlets are ours"]));
      const listed = await as(p, "view", "Lina")("GET", "/comments?status=open&territory=t1");
      expect((listed.body.threads as CommentThread[]).map((t) => t.id)).toEqual([thread.id]);
    } finally {
      leader.close();
    }
  });

  it("lets reps edit only their own words and resolve only threads they started; managers may do all", async () => {
    const p = await plan();
    const siti = as(p, "comment", "Siti");
    const joko = as(p, "comment", "Joko");
    const ani = as(p, "edit", "Ani");
    const thread = (await siti("POST", "/comments", { text: "Ours", at: [107.5, -6.5] }))
      .body as unknown as CommentThread;
    const t = `/comments/${thread.id}`;

    const reply = await ani("POST", `${t}/replies`, { text: "Agreed, moving the line" });
    expect(reply.status).toBe(201);
    const replyId = (reply.body as unknown as CommentThread).replies[0]?.id;

    expect((await siti("PATCH", t, { text: "Ours, since 2024" })).status).toBe(200);
    expect((await joko("PATCH", t, { text: "Not theirs" })).status).toBe(403);
    expect((await siti("PATCH", `${t}/replies/${replyId}`, { text: "edited by Siti" })).status).toBe(403);
    expect((await joko("PATCH", t, { resolved: true })).body.error).toMatch(/Only the person who started this thread/);
    expect((await siti("PATCH", t, { resolved: true })).status).toBe(200);
    expect((await siti("PATCH", t, { resolved: false })).status).toBe(200);
    const resolved = await ani("PATCH", t, { resolved: true });
    expect(resolved.status).toBe(200);
    expect((resolved.body as unknown as CommentThread).resolved?.by).toMatchObject({
      id: (await personNamed("Ani")).id,
      role: "edit",
    });
    expect((await ani("PATCH", `${t}/replies/${replyId}`, { text: "Moved it" })).status).toBe(200);
    expect((await as(p, "view", "Lina")("POST", `${t}/replies`, { text: "hi" })).status).toBe(403);

    const final = (await ani("GET", "/comments?status=resolved")).body.threads as CommentThread[];
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ text: "Ours, since 2024", replies: [{ text: "Moved it" }] });
    expect(final[0]?.editedAt).not.toBeNull();
  });

  it("keeps text as text, and refuses empty or overlong comments with a clear message", async () => {
    const p = await plan();
    const siti = as(p, "comment", "Siti");
    const html = `<img src=x onerror="alert(1)"> & <b>bold</b>`;
    const made = await siti("POST", "/comments", { text: html, at: [107.5, -6.5] });
    expect((made.body as unknown as CommentThread).text).toBe(html);
    const tooLong = await siti("POST", "/comments", { text: "x".repeat(2001), at: [107.5, -6.5] });
    expect(tooLong.status).toBe(413);
    expect(tooLong.body.error).toMatch(/2001 characters long; the limit is 2000/);
    expect((await siti("POST", "/comments", { text: "   ", at: [107.5, -6.5] })).status).toBe(400);
    expect((await siti("POST", "/comments", { text: "ok", at: [500, 0] })).status).toBe(400);
    expect((await siti("POST", "/comments", { text: "ok", at: [107, -6], territoryId: "nope" })).status).toBe(400);
    const all = (await siti("GET", "/comments")).body.threads as CommentThread[];
    expect(all).toHaveLength(1);
  });
});

describe("activity feed", () => {
  it("records who reshaped what from the connection, with the metrics it moved, live to everyone", async () => {
    const p = await plan();
    const leader = await RawClient.connect(`${server.wsUrl}/sync/${p.id}`, "view");
    const aniPerson = await personNamed("Ani");
    const ani = await RawClient.connect(
      `${server.wsUrl}/sync/${p.id}?person=${aniPerson.id}&secret=${aniPerson.secret}&name=Ani`,
      "edit",
    );
    try {
      await eventually(() => expect(ani.analysis?.territories.find((t) => t.id === "t1")?.accounts).toBe(3));
      // The update claims nothing about its author; the server knows it from the socket.
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(ani.doc));
      const updates: Uint8Array[] = [];
      doc.on("update", (u: Uint8Array) => updates.push(u));
      // Shrink t1 to 107–107.3 °E so that it loses a3 (107.95) and a1 (107.5) but keeps a2 (107.2).
      const narrow = {
        type: "Polygon" as const,
        coordinates: [
          [
            [107, -7],
            [107.3, -7],
            [107.3, -6],
            [107, -6],
            [107, -7],
          ] as [number, number][],
        ],
      };
      transact(doc, LOCAL_EDIT, () => updateTerritory(doc, "t1", { geometry: narrow }));
      ani.sendUpdate(Y.mergeUpdates(updates));

      const reshaped = await eventually(() => {
        const e = [...leader.activity.values()].find((x) => x.kind === "territory-reshaped");
        expect(e?.details?.after?.accounts).toBe(1);
        return e as ActivityEntry;
      });
      expect(reshaped).toMatchObject({
        actor: { id: aniPerson.id, name: "Ani", role: "edit" },
        territoryId: "t1",
        territoryName: "Bandung",
        details: { before: { accounts: 3, sums: { revenue: 175 } }, after: { accounts: 1, sums: { revenue: 50 } } },
      });
      expect(reshaped.box).toEqual([107, -7, 107.3, -6]);

      await as(p, "comment", "Siti")("POST", "/comments", { text: "Why?", at: [107.2, -6.5] });
      await eventually(() =>
        expect([...leader.activity.values()].find((e) => e.kind === "comment-added")).toMatchObject({
          actor: { name: "Siti", role: "comment" },
          territoryId: "t1",
          details: { excerpt: "Why?" },
        }),
      );
    } finally {
      leader.close();
      ani.close();
    }
  });

  it("pages newest first, filters by person and territory, and keeps the feed across a restart", async () => {
    const own = await startServerProcess();
    try {
      const p = await createPlanWithLinks(own, "Feed");
      const { personNamed, as } = peopleOn(own);
      const budiPerson = await personNamed("Budi");
      const ani = as(p, "edit", "Ani");
      const budi = as(p, "edit", "Budi");
      const page = async (path: string) => (await ani("GET", path)).body as unknown as ActivityPage;
      await ani("POST", "/territories", {
        type: "Feature",
        id: "t1",
        properties: { name: "One" },
        geometry: square(107, -7),
      });
      await budi("POST", "/territories", {
        type: "Feature",
        id: "t2",
        properties: { name: "Two" },
        geometry: square(108, -7),
      });
      await ani("PUT", "/territories/t2", { type: "Feature", properties: { name: "Two renamed" } });
      await budi("DELETE", "/territories/t1");

      const first = await page("/activity?limit=2");
      expect(first.entries.map((e) => e.kind)).toEqual(["territory-deleted", "territory-renamed"]);
      expect(first.entries[0]).toMatchObject({ actor: { name: "Budi" }, territoryName: "One" });
      expect(first.entries[1]?.details).toMatchObject({ from: "Two", to: "Two renamed" });
      const second = await page(`/activity?limit=2&before=${first.next}`);
      expect(second.entries.map((e) => e.kind)).toEqual(["territory-created", "territory-created"]);
      expect(second.next).toBeNull();
      const byBudi = await page(`/activity?person=${budiPerson.id}`);
      expect(byBudi.entries.map((e) => e.kind)).toEqual(["territory-deleted", "territory-created"]);
      const onT2 = await page("/activity?territory=t2");
      expect(onT2.entries.map((e) => e.kind)).toEqual(["territory-renamed", "territory-created"]);
      expect((await fetch(`${own.url}/api/plans/${p.id}/activity?limit=x&token=${p.tokens.view}`)).status).toBe(400);

      await own.kill("SIGTERM");
      const again = await startServerProcess({ dataDir: own.dataDir });
      try {
        const res = await fetch(`${again.url}/api/plans/${p.id}/activity`, {
          headers: { authorization: `Bearer ${p.tokens.view}` },
        });
        expect(((await res.json()) as ActivityPage).entries).toHaveLength(4);
      } finally {
        await again.kill();
      }
    } finally {
      await own.kill();
    }
  });
});
