import { describe, expect, it } from "vitest";
import { ID_PATTERN, newId } from "./ids.ts";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

describe("newId", () => {
  it("is 16 characters of [0-9a-zA-Z] by default, and a valid id", () => {
    const id = newId();
    expect(id).toHaveLength(16);
    expect(id).toMatch(/^[0-9a-zA-Z]{16}$/);
    expect(ID_PATTERN.test(id)).toBe(true);
  });

  it("has the length asked for, including lengths where rejected bytes force a refill", () => {
    for (const length of [1, 2, 12, 64]) {
      for (let i = 0; i < 500; i++) {
        const id = newId(length);
        expect(id).toHaveLength(length);
        expect(id).toMatch(/^[0-9a-zA-Z]+$/);
      }
    }
  });

  it("gives 10,000 distinct ids", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(newId());
    expect(ids.size).toBe(10_000);
  });

  it("uses every symbol, about equally often (no modulo bias)", () => {
    const counts = new Map<string, number>();
    const n = 10_000;
    for (let i = 0; i < n; i++) for (const c of newId()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...ALPHABET].sort());
    // Expectation 16·10⁴/62 ≈ 2581 per symbol, σ ≈ 50. Plain `byte % 62` would give the
    // first 8 symbols 25% more (5/256 instead of 4/256); ±10% is 5σ.
    const expected = (16 * n) / 62;
    for (const [c, count] of counts) {
      expect(Math.abs(count - expected) / expected, `symbol ${c}: ${count}`).toBeLessThan(0.1);
    }
  });
});

describe("ID_PATTERN", () => {
  it("accepts 1–64 letters, digits, '-' and '_'", () => {
    for (const id of ["a", "A-b_9", "x".repeat(64), "-", "_"]) expect(ID_PATTERN.test(id), id).toBe(true);
  });

  it("refuses empty, too long and anything with other characters", () => {
    for (const id of ["", "x".repeat(65), "a b", "a/b", "a.b", "..", "a%20b", "é", "a\nb", "a\n"]) {
      expect(ID_PATTERN.test(id), JSON.stringify(id)).toBe(false);
    }
  });
});
