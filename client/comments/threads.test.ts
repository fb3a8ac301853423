import { describe, expect, it } from "vitest";
import { COMMENT_LIMITS, type CommentThread } from "../../shared/comments/comments.ts";
import {
  authorColor,
  filterThreads,
  initials,
  lastActivity,
  relativeTime,
  statusCounts,
  territoriesWithThreads,
  textLength,
} from "./threads.ts";

const rep = { id: "p-rep", name: "Siti Rahma", role: "comment" as const };
const manager = { id: "p-man", name: "Ani", role: "edit" as const };

function thread(id: string, over: Partial<CommentThread> = {}): CommentThread {
  return {
    id,
    author: rep,
    text: `thread ${id}`,
    createdAt: "2025-03-01T10:00:00.000Z",
    editedAt: null,
    at: [107.6, -6.9],
    territoryId: "bdg",
    resolved: null,
    replies: [],
    ...over,
  };
}

describe("filterThreads", () => {
  const a = thread("a", { createdAt: "2025-03-01T10:00:00.000Z" });
  const b = thread("b", {
    createdAt: "2025-03-01T09:00:00.000Z",
    territoryId: null,
    resolved: { by: manager, at: "2025-03-01T11:00:00.000Z" },
  });
  const c = thread("c", {
    createdAt: "2025-03-01T08:00:00.000Z",
    territoryId: "cjr",
    replies: [{ id: "r", author: manager, text: "ok", createdAt: "2025-03-01T12:00:00.000Z", editedAt: null }],
  });
  const all = [a, b, c];

  it("keeps open, resolved or all threads", () => {
    expect(filterThreads(all, { status: "open", territory: null }).map((t) => t.id)).toEqual(["c", "a"]);
    expect(filterThreads(all, { status: "resolved", territory: null }).map((t) => t.id)).toEqual(["b"]);
    expect(filterThreads(all, { status: "all", territory: null }).map((t) => t.id)).toEqual(["c", "b", "a"]);
  });

  it("filters by territory, with '' for threads on no territory", () => {
    expect(filterThreads(all, { status: "all", territory: "bdg" }).map((t) => t.id)).toEqual(["a"]);
    expect(filterThreads(all, { status: "all", territory: "" }).map((t) => t.id)).toEqual(["b"]);
    expect(filterThreads(all, { status: "open", territory: "" })).toEqual([]);
  });

  it("orders by the latest reply, edit or resolution, not only the start", () => {
    expect(lastActivity(a)).toBe("2025-03-01T10:00:00.000Z");
    expect(lastActivity(b)).toBe("2025-03-01T11:00:00.000Z");
    expect(lastActivity(c)).toBe("2025-03-01T12:00:00.000Z");
    expect(lastActivity(thread("d", { editedAt: "2025-03-02T00:00:00.000Z" }))).toBe("2025-03-02T00:00:00.000Z");
  });

  it("does not reorder the input", () => {
    filterThreads(all, { status: "all", territory: null });
    expect(all.map((t) => t.id)).toEqual(["a", "b", "c"]);
  });

  it("counts per status and lists the territories that have threads", () => {
    expect(statusCounts(all)).toEqual({ open: 2, resolved: 1, all: 3 });
    expect([...territoriesWithThreads(all)].sort()).toEqual(["", "bdg", "cjr"]);
  });
});

describe("textLength", () => {
  it("counts trimmed text, as the server does", () => {
    expect(textLength("  hi  ")).toEqual({ length: 2, over: 0, empty: false });
    expect(textLength("   ").empty).toBe(true);
  });

  it("says by how much a text is over the limit", () => {
    expect(textLength("x".repeat(COMMENT_LIMITS.text)).over).toBe(0);
    expect(textLength("x".repeat(COMMENT_LIMITS.text + 5)).over).toBe(5);
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2025-03-10T12:00:00.000Z");
  it("speaks in seconds, minutes, hours and days", () => {
    expect(relativeTime("2025-03-10T11:59:50.000Z", now, "en")).toBe("now");
    expect(relativeTime("2025-03-10T11:55:00.000Z", now, "en")).toBe("5 minutes ago");
    expect(relativeTime("2025-03-10T09:00:00.000Z", now, "en")).toBe("3 hours ago");
    expect(relativeTime("2025-03-09T12:00:00.000Z", now, "en")).toBe("yesterday");
    expect(relativeTime("2025-03-10T11:55:00.000Z", now, "id")).toBe("5 menit yang lalu");
  });

  it("gives a date once a week has passed, with the year only when it differs", () => {
    expect(relativeTime("2025-02-01T12:00:00.000Z", now, "en")).toBe("Feb 1");
    expect(relativeTime("2024-02-01T12:00:00.000Z", now, "en")).toBe("Feb 1, 2024");
  });

  it("gives nothing for a date it cannot read", () => {
    expect(relativeTime("not a date", now, "en")).toBe("");
  });
});

describe("authors", () => {
  it("get a stable colour and initials", () => {
    expect(authorColor("p-rep")).toBe(authorColor("p-rep"));
    expect(authorColor("p-rep")).toMatch(/^#[0-9a-f]{6}$/);
    expect(initials("Siti Rahma")).toBe("SR");
    expect(initials("  budi ")).toBe("B");
    expect(initials("Ani Dewi Lestari")).toBe("AL");
    expect(initials("")).toBe("?");
  });
});
