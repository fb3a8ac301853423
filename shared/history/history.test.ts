import { describe, expect, it } from "vitest";
import { formatCursor, parseHistoryQuery } from "./history.ts";

describe("parseHistoryQuery", () => {
  const now = Date.parse("2026-12-05T10:00:00Z");

  it("reads ISO times and epoch milliseconds; to defaults to now, from to the start", () => {
    expect(parseHistoryQuery("2026-12-05T08:00:00Z", null, now)).toEqual({
      ok: true,
      query: { from: Date.parse("2026-12-05T08:00:00Z"), to: now, cursor: null },
    });
    expect(parseHistoryQuery("1000", "2000", now)).toEqual({ ok: true, query: { from: 1000, to: 2000, cursor: null } });
    expect(parseHistoryQuery(null, null, now)).toEqual({ ok: true, query: { from: 0, to: now, cursor: null } });
  });

  it("reads a page's next as the cursor", () => {
    const next = formatCursor({ gen: 3, index: 120, after: 5000 });
    expect(parseHistoryQuery(next, "9000", now)).toEqual({
      ok: true,
      query: { from: 5000, to: 9000, cursor: { gen: 3, index: 120, after: 5000 } },
    });
  });

  it("says what is wrong with a bad time or order", () => {
    for (const [from, to] of [
      ["yesterday", null],
      ["2026-13-45", null],
      ["1000", "soon"],
      ["g1.2", null],
      ["5000", "4000"],
    ] as const) {
      const r = parseHistoryQuery(from, to, now);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/from|to/);
    }
  });
});

describe("formatCursor", () => {
  it("round-trips through parseHistoryQuery, a fractional time included", () => {
    for (const c of [
      { gen: 0, index: 0, after: 0 },
      { gen: 12, index: 3400, after: 1796117606323.3643 },
    ]) {
      const r = parseHistoryQuery(formatCursor(c), null, 2e12);
      expect(r.ok && r.query.cursor).toEqual(c);
    }
  });
});
