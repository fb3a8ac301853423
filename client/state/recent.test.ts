import { describe, expect, it } from "vitest";
import { forgetPlan, knownLinks, loadRecent, rememberLink, rememberPlan, shareLinkOf } from "./recent.ts";

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

describe("known share links", () => {
  function memoryStorage() {
    const data = new Map<string, string>();
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
  }

  it("keeps the links of the browser that created the plan across visits, and replaced ones", () => {
    const s = memoryStorage();
    const links = {
      edit: "http://x/plan/a?token=e",
      comment: "http://x/plan/a?token=c",
      view: "http://x/plan/a?token=v",
    };
    rememberPlan({ id: "a", name: "Java", href: "/plan/a?token=e", links }, 1, s);
    rememberPlan({ id: "a", name: "Java", href: "/plan/a?token=e" }, 2, s);
    expect(knownLinks("a", s)).toEqual(links);
    expect(rememberLink("a", "view", "http://x/plan/a?token=v2", s).view).toBe("http://x/plan/a?token=v2");
    expect(knownLinks("a", s).edit).toBe(links.edit);
    expect(knownLinks("b", s)).toEqual({});
  });

  it("drops links that are not http(s) URLs or not of a role", () => {
    const s = memoryStorage();
    s.setItem(
      "wilayah.recentPlans",
      JSON.stringify([
        {
          id: "a",
          name: "A",
          href: "/plan/a",
          openedAt: 1,
          links: { edit: "javascript:alert(1)", boss: "http://x", view: "http://x/v" },
        },
      ]),
    );
    expect(knownLinks("a", s)).toEqual({ view: "http://x/v" });
  });
});

describe("shareLinkOf", () => {
  it("is the editor's URL with the token, whichever page the link was opened on", () => {
    expect(shareLinkOf("http://h:8080", "p1", "a b")).toBe("http://h:8080/plan/p1?token=a%20b");
  });
});
