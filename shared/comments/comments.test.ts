import { describe, expect, it } from "vitest";
import { anonymousId, type CommentThread, commentPermission, isAnonymous } from "./comments.ts";

function thread(authorId: string): CommentThread {
  return {
    id: "c1",
    author: { id: authorId, name: "Siti", role: "comment" },
    text: "Ours",
    createdAt: "2026-01-01T00:00:00.000Z",
    editedAt: null,
    at: [107, -7],
    territoryId: null,
    resolved: null,
    replies: [],
  };
}

describe("commentPermission", () => {
  it("lets a rep edit and resolve their own thread, not someone else's", () => {
    expect(commentPermission({ id: "p-siti", role: "comment" }, "edit", thread("p-siti"))).toBeNull();
    expect(commentPermission({ id: "p-siti", role: "comment" }, "resolve", thread("p-siti"))).toBeNull();
    expect(commentPermission({ id: "p-joko", role: "comment" }, "edit", thread("p-siti"))).toMatch(/your own/);
  });

  it("gives anonymous callers nothing of their own: they all share one id", () => {
    const anon = { id: anonymousId("comment"), role: "comment" as const };
    expect(isAnonymous(anon.id)).toBe(true);
    expect(commentPermission(anon, "edit", thread(anon.id))).toMatch(/your own/);
    expect(commentPermission(anon, "resolve", thread(anon.id))).toMatch(/Only the person who started/);
    expect(commentPermission(anon, "reply", thread(anon.id))).toBeNull();
    // A manager may still tidy them up.
    expect(commentPermission({ id: anonymousId("edit"), role: "edit" }, "edit", thread(anon.id))).toBeNull();
  });
});
