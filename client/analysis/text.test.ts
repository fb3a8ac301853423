import { describe, expect, it } from "vitest";
import {
  deviationIssue,
  disconnectedIssue,
  invalidGeometryIssue,
  overlapIssue,
  unassignedIssue,
} from "../../shared/scoring/issues.ts";
import type { BBox, Issue } from "../../shared/scoring/types.ts";
import { issueSentence, metricLabel, translateIssue } from "./text.ts";

const box: BBox = [106, -7, 107, -6];
const north = { id: "t1", name: "Bandung Raya" };
const south = { id: "t2", name: "Priangan" };

describe("issue sentences", () => {
  it("are the server's message in English", () => {
    const issue = overlapIssue(north, south, 12.5, ["a"], 3, [106.5, -6.5], box, null);
    expect(issueSentence(issue, "en")).toBe(issue.message);
  });

  it("are built from kind and params in Bahasa Indonesia", () => {
    expect(issueSentence(overlapIssue(north, south, 12.5, ["a"], 3, [106.5, -6.5], box, null), "id")).toBe(
      "“Bandung Raya” dan “Priangan” tumpang tindih seluas 12,5 km², dan 3 akun dihitung di keduanya.",
    );
    expect(issueSentence(overlapIssue(north, south, 0.5, [], 0, [106.5, -6.5], box, null), "id")).toBe(
      "“Bandung Raya” dan “Priangan” tumpang tindih seluas 0,5 km².",
    );
    expect(issueSentence(unassignedIssue(["a", "b"], 1234, 6000, [106.5, -6.5], box), "id")).toBe(
      "1.234 akun (21% dari semua) tidak berada di wilayah mana pun.",
    );
    expect(issueSentence(disconnectedIssue(north, 3, [106.5, -6.5], box), "id")).toBe(
      "“Bandung Raya” terdiri dari 3 bagian terpisah.",
    );
    expect(issueSentence(invalidGeometryIssue(north, "self-intersection", 2, [106.5, -6.5], box), "id")).toBe(
      "“Bandung Raya” memiliki batas yang memotong dirinya sendiri (2 titik potong); gambar ulang agar tidak demikian.",
    );
  });

  it("says more/fewer for counts and higher/lower for sums, against the average or the target", () => {
    const fewer = deviationIssue(north, "accounts", 123, 600, "mean", -0.795, 0.15, "error", [0, 0], box);
    expect(issueSentence(fewer, "id")).toBe(
      "“Bandung Raya” memiliki akun 80% lebih sedikit daripada rata-rata rencana (123 dibanding 600; batas ±15%).",
    );
    const more = deviationIssue(south, "revenue", 250881, 60363.4, "target", 3.156, 0.15, "error", [0, 0], box);
    expect(issueSentence(more, "id")).toBe(
      "“Priangan” memiliki pendapatan 316% lebih tinggi daripada targetnya (250.881 dibanding 60.363; batas ±15%).",
    );
  });

  it("falls back to the server's message when params are missing or the kind is new", () => {
    const broken = { ...overlapIssue(north, south, 1, [], 0, [0, 0], box, null), params: {} } as Issue;
    expect(translateIssue(broken, "id")).toBeNull();
    expect(issueSentence(broken, "id")).toBe(broken.message);
    const future = { ...broken, kind: "too-far-to-drive" } as unknown as Issue;
    expect(issueSentence(future, "id")).toBe(broken.message);
  });
});

describe("metric labels", () => {
  it("translates known metrics and makes imported column names readable", () => {
    expect(metricLabel("revenue", "en")).toBe("Revenue");
    expect(metricLabel("revenue", "id")).toBe("Pendapatan");
    expect(metricLabel("areaKm2", "id")).toBe("Luas");
    expect(metricLabel("store_size", "en")).toBe("Store size");
    expect(metricLabel("monthlyOrders", "id")).toBe("Monthly orders");
  });

  it("names competitors, population and competitor columns in both languages", () => {
    expect(metricLabel("competitors", "id")).toBe("Pesaing");
    expect(metricLabel("population", "id")).toBe("Penduduk");
    expect(metricLabel("competitor_outlets", "en")).toBe("Competitors: Outlets");
    expect(metricLabel("competitor_outlets", "id")).toBe("Pesaing: Outlets");
    expect(metricLabel("competitor_", "en")).toBe("Competitor");
  });
});
