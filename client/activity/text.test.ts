import { describe, expect, it } from "vitest";
import { activityEntry as entry, sari } from "../../tests/fixtures/activity.ts";
import { activitySentence, activityText, metricChange, relativeTime } from "./text.ts";

const reshape = entry({
  details: {
    before: { accounts: 120, sums: { revenue: 1_000_000, visits: 300 }, areaKm2: 140 },
    after: { accounts: 134, sums: { revenue: 1_042_000, visits: 300 }, areaKm2: 151 },
  },
});

describe("activity sentences", () => {
  it("name versions saved, restored and restores taken back, in both languages (issue 14)", () => {
    const base = { territoryId: undefined, territoryName: undefined };
    const saved = entry({ ...base, kind: "version-saved", details: { versionId: "v-1", versionName: "Q3" } });
    expect(activitySentence(saved, "en")).toBe("Budi saved the version “Q3”");
    expect(activitySentence(saved, "id")).toBe("Budi menyimpan versi “Q3”");
    const restored = entry({
      ...base,
      kind: "version-restored",
      details: {
        versionId: "v-1",
        versionName: "Q3",
        count: 12,
        fields: ["accounts"],
        score: { before: 47.2, after: 71 },
      },
    });
    expect(activitySentence(restored, "en")).toBe(
      "Budi restored the version “Q3” with its accounts · 12 changes · balance score 47 → 71",
    );
    expect(activitySentence(restored, "id")).toBe(
      "Budi memulihkan versi “Q3” beserta akunnya · 12 perubahan · skor keseimbangan 47 → 71",
    );
    const undone = entry({
      ...base,
      kind: "version-restore-undone",
      details: { versionId: "v-1", count: 1, kept: 2, score: { before: 71, after: 47 } },
    });
    expect(activitySentence(undone, "en")).toBe(
      "Budi took back a restore · 1 change · balance score 71 → 47 · 2 changes kept as others made them since",
    );
    expect(activityText(undone, "en", (id) => (id === "v-1" ? "Q3" : undefined)).action).toBe(
      "took back the restore of “Q3”",
    );
    expect(activityText(undone, "id", () => "Q3").action).toBe("mengurungkan pemulihan “Q3”");
  });

  it("name a scenario promoted into the plan and a promote taken back, in both languages (issue 14)", () => {
    const base = { territoryId: undefined, territoryName: undefined };
    const promoted = entry({
      ...base,
      kind: "scenario-promoted",
      details: { scenarioId: "s1", scenarioName: "Q3 what-if", count: 4, kept: 1, score: { before: 60, after: 72 } },
    });
    expect(activitySentence(promoted, "en")).toBe(
      "Budi promoted the scenario “Q3 what-if” into this plan · 4 changes · balance score 60 → 72 · 1 change kept as someone made it since",
    );
    expect(activitySentence(promoted, "id")).toMatch(
      /^Budi menerapkan skenario “Q3 what-if” ke rencana ini · 4 perubahan/,
    );
    const undone = entry({
      ...base,
      kind: "scenario-promote-undone",
      details: { scenarioName: "Q3 what-if", count: 4 },
    });
    expect(activityText(undone, "en").action).toBe("took back the promote of “Q3 what-if”");
  });

  it("say how a reshape moved the metrics", () => {
    expect(activitySentence(reshape, "en")).toBe("Budi reshaped Jakarta Utara · accounts 120 → 134, revenue +4.2%");
    expect(activitySentence(reshape, "id")).toBe(
      "Budi mengubah batas Jakarta Utara · akun 120 → 134, pendapatan +4,2%",
    );
  });

  it("say what an accepted auto-balance moved and how the score changed, and what taking it back kept", () => {
    const accepted = entry({
      kind: "proposal-accepted",
      territoryId: undefined,
      territoryName: undefined,
      details: { count: 42, skipped: 1, score: { before: 61.4, after: 88.6 }, proposalId: "p-1" },
    });
    expect(activitySentence(accepted, "en")).toBe(
      "Budi accepted an auto-balance: 42 units moved · balance score 61 → 89 · 1 unit left as it was",
    );
    expect(activitySentence(accepted, "id")).toBe(
      "Budi menerima penyeimbangan otomatis: 42 unit dipindahkan · skor keseimbangan 61 → 89 · 1 unit dibiarkan seperti semula",
    );
    const undone = entry({
      kind: "proposal-undone",
      territoryId: undefined,
      territoryName: undefined,
      details: { count: 40, kept: 2, score: { before: 88.6, after: 62 } },
    });
    expect(activitySentence(undone, "en")).toBe(
      "Budi took back an auto-balance: 40 units returned · balance score 89 → 62 · 2 units kept as others changed them",
    );
  });

  it("count coalesced edits", () => {
    const many = entry({ count: 12 });
    expect(activitySentence(many, "en")).toBe("Budi reshaped Jakarta Utara · 12 edits");
  });

  it("fall back to the area when no account moved", () => {
    expect(metricChange({ accounts: 3, sums: {}, areaKm2: 100 }, { accounts: 3, sums: {}, areaKm2: 110 }, "en")).toBe(
      "area +10%",
    );
    expect(metricChange({ accounts: 3, sums: {}, areaKm2: 100 }, { accounts: 3, sums: {}, areaKm2: 100 }, "en")).toBe(
      null,
    );
  });

  it("quote comments as text", () => {
    const comment = entry({
      kind: "comment-added",
      actor: sari,
      territoryName: "Bandung",
      details: { excerpt: "<b>this street</b> is ours" },
    });
    expect(activitySentence(comment, "en")).toBe("Sari commented on Bandung: “<b>this street</b> is ours”");
    expect(activityText(comment, "id").action).toBe("berkomentar di Bandung");
    const onMap = entry({ kind: "comment-added", actor: sari, territoryId: undefined, territoryName: undefined });
    expect(activityText(onMap, "en").action).toBe("commented on the map");
  });

  it("name renames, updates, imports and link rotations", () => {
    expect(activityText(entry({ kind: "territory-renamed", details: { from: "A", to: "B" } }), "en").action).toBe(
      "renamed A to B",
    );
    expect(
      activityText(entry({ kind: "territory-updated", details: { fields: ["color", "reps"] } }), "en").action,
    ).toBe("changed the colour and reps of Jakarta Utara");
    expect(
      activityText(entry({ kind: "territory-updated", details: { fields: ["color", "reps"] } }), "id").action,
    ).toBe("mengubah warna dan perwakilan sales Jakarta Utara");
    expect(activityText(entry({ kind: "accounts-imported", details: { imported: 1234 } }), "id").action).toBe(
      "mengimpor 1.234 akun",
    );
    expect(activityText(entry({ kind: "link-rotated", details: { role: "view" } }), "en").action).toBe(
      "replaced the view link",
    );
    expect(activitySentence(entry({ kind: "territory-deleted", territoryName: undefined }), "en")).toBe(
      "Budi deleted a territory",
    );
  });
  it("say how many units a stroke painted into or out of a territory, in both languages", () => {
    const siti = { id: "p-siti", name: "Siti", role: "edit" as const };
    const into = entry({
      kind: "territory-painted",
      actor: siti,
      territoryName: "Bandung",
      details: { count: 12, gained: 12, lost: 0 },
    });
    expect(activitySentence(into, "en")).toBe("Siti painted 12 units into Bandung");
    expect(activitySentence(into, "id")).toBe("Siti mengecat 12 unit ke Bandung");
    const one = entry({
      kind: "territory-painted",
      territoryName: "Bandung",
      details: { count: 1, gained: 1, lost: 0 },
    });
    expect(activityText(one, "en").action).toBe("painted 1 unit into Bandung");
    const out = entry({
      kind: "territory-painted",
      territoryName: "Bandung",
      details: { count: 3, gained: 0, lost: 3 },
    });
    expect(activityText(out, "en").action).toBe("painted 3 units out of Bandung");
    expect(activityText(out, "id").action).toBe("mengeluarkan 3 unit dari Bandung");
    const both = entry({
      kind: "territory-painted",
      territoryName: "Bandung",
      count: 4,
      details: { count: 1_503, gained: 1_500, lost: 3 },
    });
    expect(activitySentence(both, "en")).toBe("Budi painted 1,500 units into Bandung and 3 out of it · 4 edits");
    expect(activityText(both, "id").action).toBe("mengecat 1.500 unit ke Bandung dan mengeluarkan 3 darinya");
  });

  it("say how a stroke moved the territory's metrics once the analysis came", () => {
    const painted = entry({
      kind: "territory-painted",
      territoryName: "Bandung",
      details: {
        count: 5,
        gained: 5,
        lost: 0,
        before: { accounts: 40, sums: {}, areaKm2: 500 },
        after: { accounts: 52, sums: {}, areaKm2: 530 },
      },
    });
    expect(activitySentence(painted, "en")).toBe("Budi painted 5 units into Bandung · accounts 40 → 52");
  });
});

describe("relative time", () => {
  const now = Date.parse("2025-01-01T10:05:00Z");
  it("reads as people say it", () => {
    expect(relativeTime("2025-01-01T10:04:50Z", now, "en")).toBe("just now");
    expect(relativeTime("2025-01-01T10:00:00Z", now, "en")).toBe("5 minutes ago");
    expect(relativeTime("2025-01-01T10:00:00Z", now, "id")).toBe("5 menit yang lalu");
    expect(relativeTime("bad", now, "en")).toBe("");
  });
});
