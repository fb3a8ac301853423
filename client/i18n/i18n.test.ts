import { describe, expect, it } from "vitest";
import { en } from "./en.ts";
import { detectLocale, format } from "./format.ts";
import { id } from "./id.ts";

describe("i18n", () => {
  it("picks Indonesian for id and in, English otherwise", () => {
    expect(detectLocale(["id-ID", "en"])).toBe("id");
    expect(detectLocale(["in"])).toBe("id");
    expect(detectLocale(["fr-FR", "en-GB"])).toBe("en");
    expect(detectLocale(["de"])).toBe("en");
    expect(detectLocale([])).toBe("en");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(format("{who} reshaped {name}", { who: "Budi", name: "Bandung" })).toBe("Budi reshaped Bandung");
    expect(format("{n} territories", { n: 3 })).toBe("3 territories");
    expect(format("{missing}", {})).toBe("{missing}");
  });

  it("has every English key in Indonesian, with the same placeholders", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(id[key], key).toBeTruthy();
      expect(placeholders(id[key]), key).toEqual(placeholders(en[key]));
    }
  });
});
