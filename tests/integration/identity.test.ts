import { describe, expect, it } from "vitest";
import type { CommentThread } from "../../shared/comments/comments.ts";
import { square } from "../fixtures/shapes.ts";
import {
  type CreatedPlan,
  createPlanWithLinks,
  eventually,
  newPerson,
  type Person,
  startServerProcess,
  useServer,
  addTerritories,
} from "./harness.ts";
import { RawClient } from "./raw-client.ts";

/**
 * Issue 9, item 8: a person id proves itself with the secret the server
 * issued with it. The id alone (which every link sees on comments) makes
 * nobody anyone.
 */
const server = useServer();

async function planWithTerritory(): Promise<CreatedPlan> {
  const p = await createPlanWithLinks(server, "Identity");
  await addTerritories(server, p.id, {
    type: "Feature",
    id: "t1",
    properties: { name: "Bogor" },
    geometry: square(106.7, -6.7),
  });
  return p;
}

/** A REST call with a comment link, sending whatever identity headers are given. */
async function call(p: CreatedPlan, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${server.url}/api/plans/${p.id}${path}`, {
    method,
    headers: { authorization: `Bearer ${p.tokens.comment}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const as = (person: Person, name: string) => ({
  "x-wilayah-person": person.id,
  "x-wilayah-person-secret": person.secret,
  "x-wilayah-name": name,
});

describe("person ids prove themselves", () => {
  it("issues an id with a secret; the secret is not the id and differs per person", async () => {
    const a = await newPerson(server);
    const b = await newPerson(server);
    expect(a.id).toMatch(/^p-[A-Za-z0-9]{16}$/);
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(a.secret).not.toBe(b.secret);
    expect(a.id).not.toBe(b.id);
  });

  it("a rep who copies another rep's id from the comments cannot edit or resolve their thread", async () => {
    const p = await planWithTerritory();
    const siti = await newPerson(server);
    const joko = await newPerson(server);
    const made = await call(p, "POST", "/comments", as(siti, "Siti"), { text: "Ours", at: [106.75, -6.65] });
    expect(made.status).toBe(201);
    const thread = made.body as unknown as CommentThread;
    expect(thread.author.id).toBe(siti.id);

    // Every link sees the author's id…
    const listed = await call(p, "GET", "/comments", {});
    const seenId = (listed.body.threads as CommentThread[])[0]?.author.id as string;
    expect(seenId).toBe(siti.id);
    // …and Joko sends it, alone, with his own secret, or with a made-up one: none of it makes him Siti.
    const forgeries: Record<string, string>[] = [
      { "x-wilayah-person": seenId, "x-wilayah-name": "Siti" },
      { "x-wilayah-person": seenId, "x-wilayah-person-secret": joko.secret, "x-wilayah-name": "Siti" },
      { "x-wilayah-person": seenId, "x-wilayah-person-secret": "x".repeat(43), "x-wilayah-name": "Siti" },
    ];
    for (const forged of forgeries) {
      const edit = await call(p, "PATCH", `/comments/${thread.id}`, forged, { text: "Not ours after all" });
      expect(edit.status).toBe(403);
      const resolve = await call(p, "PATCH", `/comments/${thread.id}`, forged, { resolved: true });
      expect(resolve.status).toBe(403);
    }
    const who = await call(p, "GET", "", { "x-wilayah-person": seenId, "x-wilayah-name": "Siti" });
    expect(who.body.you).toMatchObject({ id: "anon-comment", role: "comment" });

    // Siti herself, with her secret, may.
    expect((await call(p, "PATCH", `/comments/${thread.id}`, as(siti, "Siti"), { resolved: true })).status).toBe(200);
    const after = await call(p, "GET", "/comments", {});
    expect((after.body.threads as CommentThread[])[0]).toMatchObject({
      text: "Ours",
      resolved: { by: { id: siti.id } },
    });
  });

  it("callers without a proven id are anonymous and own nothing, not even what another anonymous caller wrote", async () => {
    const p = await planWithTerritory();
    const made = await call(
      p,
      "POST",
      "/comments",
      { "x-wilayah-name": "Script" },
      { text: "From a script", at: [106.75, -6.65] },
    );
    expect(made.status).toBe(201);
    const thread = made.body as unknown as CommentThread;
    expect(thread.author).toMatchObject({ id: "anon-comment", name: "Script" });
    expect((await call(p, "PATCH", `/comments/${thread.id}`, {}, { text: "Changed by another script" })).status).toBe(
      403,
    );
  });

  it("binds a socket's presence to its person only when the secret checks out", async () => {
    const p = await planWithTerritory();
    const lina = await newPerson(server);
    const observer = await RawClient.connect(`${server.wsUrl}/sync/${p.id}`, "view");
    const real = await RawClient.connect(
      `${server.wsUrl}/sync/${p.id}?person=${lina.id}&secret=${lina.secret}&name=Lina`,
      "view",
    );
    const forged = await RawClient.connect(`${server.wsUrl}/sync/${p.id}?person=${lina.id}&name=Lina`, "view");
    const wrong = await RawClient.connect(
      `${server.wsUrl}/sync/${p.id}?person=${lina.id}&secret=${"A".repeat(43)}&name=Lina`,
      "view",
    );
    try {
      real.sendAwareness(501, 1, { user: { name: "Lina" } });
      forged.sendAwareness(502, 1, { user: { name: "Lina", id: lina.id } });
      wrong.sendAwareness(503, 1, { user: { name: "Lina", id: lina.id } });
      await eventually(() => {
        expect(observer.awareness.get(501)).toMatchObject({ user: { id: lina.id } });
        expect(observer.awareness.get(502)).toMatchObject({ user: { id: "anon-view" } });
        expect(observer.awareness.get(503)).toMatchObject({ user: { id: "anon-view" } });
      });
    } finally {
      for (const c of [observer, real, forged, wrong]) c.close();
    }
  });

  it("keeps recognising people across a restart (the key is kept in DATA_DIR)", async () => {
    const own = await startServerProcess();
    try {
      const p = await createPlanWithLinks(own, "Restart");
      const ani = await newPerson(own);
      await own.kill();
      const again = await startServerProcess({ dataDir: own.dataDir });
      try {
        const res = await fetch(`${again.url}/api/plans/${p.id}`, {
          headers: { authorization: `Bearer ${p.tokens.edit}`, ...as(ani, "Ani") },
        });
        expect(((await res.json()) as { you: { id: string } }).you.id).toBe(ani.id);
      } finally {
        await again.kill();
      }
    } finally {
      await own.kill();
    }
  });
});
