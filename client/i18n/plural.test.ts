import { describe, expect, it } from "vitest";
import { en } from "./en.ts";
import { id } from "./id.ts";
import { plural, pluralCategory } from "./plural.ts";

describe("counted sentences", () => {
  it("say 1 account and 1 open comment in English, by Intl.PluralRules (issue 10)", () => {
    expect(plural("en", "comments.openCount", 1)).toBe("1 open comment");
    expect(plural("en", "comments.openCount", 0)).toBe("0 open comments");
    expect(plural("en", "comments.openCount", 1250)).toBe("1,250 open comments");
    expect(plural("en", "activity.detail.had", 1)).toBe("1 account");
    expect(plural("en", "activity.kind.territories-imported", 1)).toBe("imported 1 territory");
    expect(plural("en", "scores.summary", 1, { accounts: "1", unassigned: "0", overlapping: "0" })).toBe(
      "1 account · 0 unassigned · 0 in overlaps",
    );
  });

  it("keep Indonesian nouns as they are, whatever the count, with its own grouping", () => {
    expect(pluralCategory(1, "id")).toBe("other");
    expect(plural("id", "comments.openCount", 1)).toBe("1 komentar terbuka");
    expect(plural("id", "comments.openCount", 1250)).toBe("1.250 komentar terbuka");
  });

  it("has a general form for every singular one, in both languages", () => {
    for (const key of Object.keys(en)) {
      if (!key.endsWith(".one")) continue;
      const base = key.slice(0, -".one".length);
      expect(en[base as keyof typeof en], base).toBeTruthy();
      expect(id[base as keyof typeof id], base).toBeTruthy();
    }
  });
});
