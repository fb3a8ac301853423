import { describe, expect, it } from "vitest";
import {
  fmtArea,
  fmtCompact,
  fmtDate,
  fmtInput,
  fmtInt,
  fmtMetric,
  fmtPct,
  fmtTime,
  parseNumber,
  readNumber,
  sayReading,
} from "./numbers.ts";

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

  it("reads 60.000 and 60,000 as ambiguous in either language, the language choosing the reading in force (issue 10)", () => {
    expect(readNumber("60.000", "en")).toEqual({
      kind: "ambiguous",
      value: 60,
      as: "decimal",
      grouped: 60_000,
      decimal: 60,
    });
    expect(readNumber("60.000", "id")).toEqual({
      kind: "ambiguous",
      value: 60_000,
      as: "grouped",
      grouped: 60_000,
      decimal: 60,
    });
    expect(readNumber("60,000", "en")).toMatchObject({ kind: "ambiguous", value: 60_000, as: "grouped" });
    expect(readNumber("60,000", "id")).toMatchObject({ kind: "ambiguous", value: 60, as: "decimal" });
    // The person flips it.
    expect(readNumber("60.000", "en", "grouped")).toMatchObject({ value: 60_000, as: "grouped" });
    expect(readNumber("60.000", "id", "decimal")).toMatchObject({ value: 60, as: "decimal" });
    expect(readNumber("1.250", "en")).toMatchObject({ kind: "ambiguous", grouped: 1250, decimal: 1.25 });
    expect(readNumber("-999,500", "en")).toMatchObject({ kind: "ambiguous", grouped: -999_500, decimal: -999.5 });
    expect(readNumber(" Rp 60.000 ", "en")).toMatchObject({ kind: "ambiguous", grouped: 60_000 });
  });

  it("reads unambiguous input at once, the same in both languages", () => {
    const cases: [string, number][] = [
      ["60.5", 60.5],
      ["60,5", 60.5],
      ["1.234.567", 1_234_567],
      ["1,234,567", 1_234_567],
      ["1,234,567.5", 1_234_567.5],
      ["1.234.567,5", 1_234_567.5],
      ["60000", 60_000],
      ["0.250", 0.25],
      ["60.00", 60],
      ["60.0000", 60],
      ["Rp 2.000.000", 2_000_000],
    ];
    for (const [text, value] of cases) {
      expect(readNumber(text, "en"), `${text} (en)`).toEqual({ kind: "exact", value });
      expect(readNumber(text, "id"), `${text} (id)`).toEqual({ kind: "exact", value });
    }
    expect(readNumber("  ", "en")).toEqual({ kind: "empty" });
    for (const bad of ["abc", "12.50.00", "1,2,3.4.5", "1e5", "--1", "."]) {
      expect(readNumber(bad, "en"), bad).toEqual({ kind: "invalid" });
    }
  });

  it("says each reading in words that no convention can misread", () => {
    expect(sayReading(60_000, "grouped", "en")).toBe("60 thousand");
    expect(sayReading(60_000, "grouped", "id")).toBe("60 ribu");
    expect(sayReading(60, "decimal", "en")).toBe("60");
    expect(sayReading(1250, "grouped", "en")).toBe("1 thousand 250");
    expect(sayReading(1.25, "decimal", "en")).toBe("1 point 25");
    expect(sayReading(1.234, "decimal", "id")).toBe("1 koma 234");
    expect(sayReading(-999_500, "grouped", "en")).toBe("−999 thousand 500");
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
