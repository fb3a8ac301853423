import { describe, expect, it } from "vitest";
import { THINNING, thin } from "./thinning.ts";

const NOW = Date.parse("2027-03-10T12:00:00Z");
const HOUR = 3_600_000;
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();

describe("thin", () => {
  it("keeps every checkpoint of the last day", () => {
    const versions = Array.from({ length: 100 }, (_, i) => ({ id: `v${i}`, at: at(i * 10 * 60_000), auto: true }));
    expect(
      thin(
        versions.filter((v) => Date.parse(v.at) > NOW - THINNING.keepAllMs),
        NOW,
      ),
    ).toEqual([]);
  });

  it("keeps the newest checkpoint of each hour from a day to a week old, and of each day after", () => {
    const base = Date.parse("2027-03-07T09:00:00Z"); // three days before NOW
    const old = Date.parse("2027-02-20T09:00:00Z"); // more than a week
    const versions = [
      { id: "h1", at: new Date(base + 5 * 60_000).toISOString(), auto: true },
      { id: "h2", at: new Date(base + 35 * 60_000).toISOString(), auto: true },
      { id: "h3", at: new Date(base + 55 * 60_000).toISOString(), auto: true },
      { id: "h4", at: new Date(base + HOUR + 60_000).toISOString(), auto: true },
      { id: "d1", at: new Date(old).toISOString(), auto: true },
      { id: "d2", at: new Date(old + 3 * HOUR).toISOString(), auto: true },
      { id: "d3", at: new Date(old + 26 * HOUR).toISOString(), auto: true },
    ];
    expect(thin(versions, NOW).sort()).toEqual(["d1", "h1", "h2"]);
  });

  it("never thins named versions or pinned (damaged) checkpoints", () => {
    const old = at(30 * 24 * HOUR);
    const versions = [
      { id: "named", at: old, auto: false },
      { id: "damaged", at: old, auto: true, pinned: true },
      { id: "a", at: old, auto: true },
      { id: "b", at: at(30 * 24 * HOUR - 60_000), auto: true },
    ];
    expect(thin(versions, NOW)).toEqual(["a"]);
  });

  it("is stable: thinning what it kept drops nothing more", () => {
    const versions = Array.from({ length: 2_000 }, (_, i) => ({ id: `v${i}`, at: at(i * 17 * 60_000), auto: true }));
    const dropped = new Set(thin(versions, NOW));
    const kept = versions.filter((v) => !dropped.has(v.id));
    expect(thin(kept, NOW)).toEqual([]);
    expect(kept.length).toBeLessThan(24 * 4 + 6 * 24 + 20);
  });
});
