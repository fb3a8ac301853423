import { describe, expect, it } from "vitest";
import { parseSyncPath, roomKey, syncPath } from "./rooms.ts";

describe("parseSyncPath", () => {
  it("accepts /sync/<planId> as the plan's main document", () => {
    expect(parseSyncPath("/sync/abc")).toEqual({ planId: "abc", part: "" });
    expect(parseSyncPath("/sync/abc/")).toEqual({ planId: "abc", part: "" });
    expect(parseSyncPath("/sync/A-b_9")).toEqual({ planId: "A-b_9", part: "" });
    expect(parseSyncPath(`/sync/${"x".repeat(64)}`)).toEqual({ planId: "x".repeat(64), part: "" });
  });

  it("accepts a percent-encoded id that decodes to a valid one", () => {
    expect(parseSyncPath("/sync/%61bc")).toEqual({ planId: "abc", part: "" });
  });

  it("refuses paths without a plan id", () => {
    for (const p of ["/sync/", "/sync", "/sync//", "/", "", "/api/sync/abc", "/syncabc", "sync/abc"]) {
      expect(parseSyncPath(p), p).toBeNull();
    }
  });

  it("refuses parts it does not know and extra segments", () => {
    for (const p of ["/sync/a/unknownpart", "/sync/a/comments", "/sync/a/b/c", "/sync/a//"]) {
      expect(parseSyncPath(p), p).toBeNull();
    }
  });

  it("refuses path traversal, plain or encoded", () => {
    for (const p of ["/sync/../x", "/sync/..", "/sync/%2E%2E", "/sync/%2e%2e/x", "/sync/a%2Fb", "/sync/..%2Fetc"]) {
      expect(parseSyncPath(p), p).toBeNull();
    }
  });

  it("refuses ids with characters outside [A-Za-z0-9_-] or over 64 characters", () => {
    for (const p of [
      "/sync/a.b",
      "/sync/a%20b",
      "/sync/a b",
      "/sync/%C3%A9t%C3%A9",
      "/sync/a%00",
      "/sync/a?b",
      `/sync/${"x".repeat(65)}`,
    ]) {
      expect(parseSyncPath(p), p).toBeNull();
    }
  });

  it("returns null, not a URIError, for malformed percent-encoding", () => {
    for (const p of ["/sync/%", "/sync/%zz", "/sync/%E0%A4%A", "/sync/abc/%"]) {
      expect(() => parseSyncPath(p), p).not.toThrow();
      expect(parseSyncPath(p), p).toBeNull();
    }
  });
});

describe("syncPath / roomKey", () => {
  it("is the inverse of parseSyncPath for the main document", () => {
    const address = { planId: "plan_1-x", part: "" } as const;
    expect(syncPath(address)).toBe("/sync/plan_1-x");
    expect(parseSyncPath(syncPath(address))).toEqual(address);
  });

  it("keys a main document by the plan id alone", () => {
    expect(roomKey({ planId: "abc", part: "" })).toBe("abc");
  });
});
