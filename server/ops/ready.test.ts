import { describe, expect, it } from "vitest";
import { readiness } from "./ready.ts";

describe("readiness", () => {
  it("is ready when every check passes, and lists damaged plans without failing on them", async () => {
    const r = await readiness([{ name: "storage", check: async () => {} }], () => ["p1"]);
    expect(r).toMatchObject({ ready: true, checks: { storage: { ok: true } }, damagedPlans: ["p1"] });
  });

  it("names the check that failed, and fails one that does not answer in time", async () => {
    const r = await readiness(
      [
        { name: "storage", check: async () => Promise.reject(new Error("read-only")) },
        { name: "scoring", check: async () => {} },
        { name: "redis", check: () => new Promise<void>(() => {}) },
      ],
      () => [],
      50,
    );
    expect(r.ready).toBe(false);
    expect(r.checks.storage).toMatchObject({ ok: false, error: "read-only" });
    expect(r.checks.scoring).toMatchObject({ ok: true });
    expect(r.checks.redis).toMatchObject({ ok: false, error: "no answer within 50 ms" });
  });
});
