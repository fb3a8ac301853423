import { describe, expect, it } from "vitest";
import { forgetDemoCopy, loadDemoCopy, saveDemoCopy, tokenOfLink } from "./demo.ts";

function memory(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    get length() {
      return m.size;
    },
  };
}

const copy = {
  id: "Hk3x9QpZ2mVa",
  name: "Demo: Java sales territories",
  links: {
    edit: "http://localhost:8080/plan/Hk3x9QpZ2mVa?token=e",
    comment: "http://localhost:8080/plan/Hk3x9QpZ2mVa?token=c",
    view: "http://localhost:8080/plan/Hk3x9QpZ2mVa?token=v",
  },
};

describe("the remembered demo copy", () => {
  it("is kept and read back, then forgotten", () => {
    const s = memory();
    expect(loadDemoCopy(s)).toBeNull();
    saveDemoCopy(copy, s);
    expect(loadDemoCopy(s)).toEqual(copy);
    expect(tokenOfLink(copy.links.comment)).toBe("c");
    forgetDemoCopy(s);
    expect(loadDemoCopy(s)).toBeNull();
  });

  it("ignores what is not a copy's three plan links", () => {
    const s = memory();
    s.setItem("wilayah.demoCopy", "{not json");
    expect(loadDemoCopy(s)).toBeNull();
    s.setItem("wilayah.demoCopy", JSON.stringify({ ...copy, links: { ...copy.links, view: "javascript:alert(1)" } }));
    expect(loadDemoCopy(s)).toBeNull();
    s.setItem("wilayah.demoCopy", JSON.stringify({ id: "x", name: "y", links: { edit: copy.links.edit } }));
    expect(loadDemoCopy(s)).toBeNull();
  });
});
