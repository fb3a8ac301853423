import { describe, expect, it } from "vitest";
import { contentOf } from "../../shared/versions/content.ts";
import { summaryLine } from "../../shared/versions/summary.ts";
import { planDoc } from "../../shared/versions/testing.ts";
import { box } from "../../tests/fixtures/shapes.ts";
import { en, type MessageKey } from "../i18n/en.ts";
import { format, type Locale } from "../i18n/format.ts";
import { id } from "../i18n/id.ts";
import { plural, type PluralKey } from "../i18n/plural.ts";
import { versionSummary } from "./summary.ts";

const say = (locale: Locale) => (summary: string) =>
  versionSummary(
    summary,
    locale,
    (key: MessageKey, params?: Record<string, string | number>) => format((locale === "id" ? id : en)[key], params),
    (key: PluralKey, n: number) => plural(locale, key, n),
  );
const inIndonesian = say("id");

function content(sketch: Parameters<typeof planDoc>[0], accounts = 1) {
  return contentOf(planDoc(sketch), { accounts, competitors: 0, units: sketch.unitsVersion ?? 0 });
}

describe("a version's summary in the reader's language", () => {
  it("says again, in Indonesian, every phrase the server writes", () => {
    const before = content({
      allowedDeviation: 0.15,
      territories: [
        { id: "a", name: "Bogor", geometry: box(0, 0, 1, 1) },
        { id: "b", name: "Depok", geometry: box(1, 0, 2, 1) },
        { id: "c", name: "Bekasi", geometry: box(2, 0, 3, 1) },
      ],
    });
    const after = content(
      {
        name: "Jabodetabek 2027",
        allowedDeviation: 0.1,
        territories: [
          { id: "a", name: "Bogor Raya", geometry: box(0, 0, 1.5, 1) },
          { id: "b", name: "Depok", color: "#000000", geometry: box(1.5, 0, 2, 1) },
          { id: "d", name: "Tangerang", geometry: box(3, 0, 4, 1) },
          { id: "e", name: "Serang", geometry: box(4, 0, 5, 1) },
          { id: "f", name: "Cilegon", geometry: box(5, 0, 6, 1) },
        ],
        pins: { acc1: "a" },
      },
      2,
    );
    const english = summaryLine(before, after);
    expect(english).toMatch(/^3 territories added \(Tangerang, Serang and 1 more\), 1 territory removed \(Bekasi\)/);
    const said = inIndonesian(english);
    expect(said).not.toBe(english);
    expect(said).toContain("3 wilayah ditambahkan (Tangerang, Serang dan 1 lainnya)");
    expect(said).toContain("1 wilayah dihapus (Bekasi)");
    expect(said).toContain("wilayah diubah bentuknya (Bogor Raya, Depok)");
    expect(said).toContain("1 wilayah diganti nama");
    expect(said).toContain("1 wilayah diperbarui");
    expect(said).toContain("1 pin akun diubah");
    expect(said).toContain("simpangan yang diizinkan ±15 % → ±10 %");
    expect(said).toContain("rencana diganti nama menjadi “Jabodetabek 2027”");
    expect(said).toContain("akun diimpor ulang");
    expect(said).not.toMatch(/\b(added|removed|reshaped|renamed|updated|accounts|changed)\b/);
  });

  it("names a first version and a version without change, and units moved or assigned", () => {
    const units = content({ unitsVersion: 1, territories: [{ id: "a", name: "A" }], units: { a: [0, 1, 2] } });
    expect(inIndonesian(summaryLine(null, units))).toBe("1 wilayah, 3 unit ditugaskan");
    expect(inIndonesian(summaryLine(units, units))).toBe("Tidak ada perubahan sejak versi sebelumnya");
    const moved = content({ unitsVersion: 1, territories: [{ id: "a", name: "A" }], units: { a: [0, 1, 2, 3] } });
    expect(inIndonesian(summaryLine(units, moved))).toBe("1 unit dipindahkan");
    expect(say("en")(summaryLine(units, moved))).toBe("1 unit moved");
  });

  it("keeps a line it does not fully recognise as the server wrote it", () => {
    expect(inIndonesian("2 territories added (A, B), something new")).toBe("2 territories added (A, B), something new");
    expect(inIndonesian("")).toBe("");
  });
});
