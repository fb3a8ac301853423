import { describe, expect, it } from "vitest";
import { fmtArea, fmtCompact, fmtMetric, fmtPct } from "./numbers.ts";

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
});
