import { describe, expect, it } from "vitest";
import { forgetPlan, loadRecent, rememberPlan } from "./recent.ts";

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
}

describe("recent plans", () => {
  it("keeps the newest first, once per plan, and remembers the name seen before", () => {
    const s = memoryStorage();
    rememberPlan({ id: "a", name: "Java", href: "/plan/a" }, 1, s);
    rememberPlan({ id: "b", name: "Bali", href: "/plan/b?token=x" }, 2, s);
    rememberPlan({ id: "a", name: "", href: "/plan/a" }, 3, s);
    expect(loadRecent(s).map((p) => [p.id, p.name, p.openedAt])).toEqual([
      ["a", "Java", 3],
      ["b", "Bali", 2],
    ]);
    expect(forgetPlan("a", s).map((p) => p.id)).toEqual(["b"]);
  });

  it("ignores corrupt or foreign entries", () => {
    const s = memoryStorage();
    s.setItem("wilayah.recentPlans", "not json");
    expect(loadRecent(s)).toEqual([]);
    s.setItem(
      "wilayah.recentPlans",
      JSON.stringify([{ id: "x", name: "X", href: "https://evil.example/", openedAt: 1 }, 5]),
    );
    expect(loadRecent(s)).toEqual([]);
  });
});
