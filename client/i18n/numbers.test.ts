import { describe, expect, it } from "vitest";
import { fmtArea, fmtCompact, fmtDate, fmtInput, fmtInt, fmtMetric, fmtPct, fmtTime, parseNumber } from "./numbers.ts";

describe("numbers", () => {
  it("formats percentages with a real minus sign when signed", () => {
    expect(fmtPct(0.253, "en")).toBe("25%");
    expect(fmtPct(0.004, "en")).toBe("0.4%");
    expect(fmtPct(0.15, "en", true)).toBe("+15%");
    expect(fmtPct(-0.795, "en", true)).toBe("−80%");
    expect(fmtPct(-0.0004, "en", true)).toBe("0%");
    expect(fmtPct(0.045, "id")).toBe("4,5%");
  });

  it("uses the language's separators and compact forms", () => {
    expect(fmtArea(12181.4, "id")).toBe("12.181 km²");
    expect(fmtArea(0.5, "en")).toBe("0.5 km²");
    expect(fmtCompact(1234, "en")).toBe("1,234");
    expect(fmtCompact(250881, "en")).toBe("250.9K");
    expect(fmtMetric("accounts", 2505, "id")).toBe("2.505");
    expect(fmtMetric("compactness", 0.6543, "en")).toBe("0.65");
  });

  it("groups whole numbers the language's way (revenue and targets are shown like this)", () => {
    expect(fmtInt(1_250_000, "en")).toBe("1,250,000");
    expect(fmtInt(1_250_000, "id")).toBe("1.250.000");
    expect(fmtInput(1_250_000.5, "id")).toBe("1.250.000,5");
    expect(fmtInput(1_250_000, "en")).toBe("1,250,000");
  });

  it("reads numbers typed either way, with the typist's language deciding a lone separator", () => {
    expect(parseNumber("1.250.000", "id")).toBe(1_250_000);
    expect(parseNumber("1.250.000", "en")).toBe(1_250_000);
    expect(parseNumber("1,250,000", "en")).toBe(1_250_000);
    expect(parseNumber("1.250.000,50", "id")).toBe(1_250_000.5);
    expect(parseNumber("1,250,000.50", "id")).toBe(1_250_000.5);
    // A group never starts with 0: "0.250" is a decimal in either language, as in an imported CSV.
    expect(parseNumber("0.250", "id")).toBe(0.25);
    expect(parseNumber("1.250", "id")).toBe(1250);
    expect(parseNumber("1,250", "en")).toBe(1250);
    expect(parseNumber("1,5", "id")).toBe(1.5);
    expect(parseNumber("1.5", "en")).toBe(1.5);
    expect(parseNumber("1.25", "id")).toBe(1.25);
    expect(parseNumber(" Rp 2.000.000 ", "id")).toBe(2_000_000);
    expect(parseNumber("1 250 000", "en")).toBe(1_250_000);
    expect(parseNumber("-6,2001", "id")).toBe(-6.2001);
    expect(parseNumber("0", "en")).toBe(0);
    for (const bad of ["", "abc", "12.50.00", "1,2,3.4.5", "1.2.3,4,5", "--1", ".", "1e5"]) {
      expect(parseNumber(bad, "en"), bad).toBeNull();
    }
  });

  it("writes dates the language's way", () => {
    const at = Date.UTC(2025, 2, 12, 12);
    expect(fmtDate(at, "en")).toBe("Mar 12, 2025");
    expect(fmtDate(at, "id")).toMatch(/^12 Mar 2025$/);
    const local = new Date(2025, 2, 12, 14, 5, 9);
    expect(fmtTime(local, "en")).toBe("14:05:09");
    expect(fmtTime(local, "id")).toBe("14.05.09");
  });
});
