import { describe, expect, it } from "vitest";
import { parsePresence } from "./presence.ts";

describe("parsePresence", () => {
  it("reads a well-formed state", () => {
    expect(
      parsePresence({ user: { name: " Budi ", color: "#e7298a", id: "u1" }, cursor: [106.8, -6.2], selection: ["t1"] }),
    ).toEqual({
      user: { name: "Budi", color: "#e7298a", id: "u1" },
      cursor: [106.8, -6.2],
      selection: ["t1"],
      view: null,
    });
  });

  it("reads the followed view and the server-written role", () => {
    const p = parsePresence({
      user: { name: "Sari", color: "#123456", id: "u2", role: "view" },
      cursor: null,
      selection: [],
      view: { center: [110.4, -7.0], zoom: 9.5 },
    });
    expect(p?.view).toEqual({ center: [110.4, -7.0], zoom: 9.5 });
    expect(p?.user.role).toBe("view");
    const bad = parsePresence({
      user: { name: "Sari", color: "#123456", id: "u2", role: "admin" },
      view: { center: ["x", 1], zoom: 3 },
    });
    expect(bad?.view).toBeNull();
    expect(bad?.user.role).toBeUndefined();
  });

  it("reads who is painting (unit plans), and only a plain true", () => {
    const base = { user: { name: "Ani", color: "#123456", id: "u3" }, cursor: null, selection: ["t1"] };
    expect(parsePresence({ ...base, painting: true })?.painting).toBe(true);
    expect(parsePresence({ ...base, painting: "yes" })).not.toHaveProperty("painting");
    expect(parsePresence(base)).not.toHaveProperty("painting");
  });

  it("defends against whatever a peer sends", () => {
    expect(parsePresence(null)).toBeNull();
    expect(parsePresence({ cursor: [1, 2] })).toBeNull();
    expect(parsePresence({ user: { name: 5, color: "#fff", id: "x" } })).toBeNull();
    const odd = parsePresence({
      user: { name: "x".repeat(500), color: "red;background:url(x)", id: "y" },
      cursor: [Number.NaN, 1],
      selection: [1, "t2", {}],
    });
    expect(odd?.user.name).toHaveLength(60);
    expect(odd?.user.color).toBe("#888888");
    expect(odd?.cursor).toBeNull();
    expect(odd?.selection).toEqual(["t2"]);
  });

  it("keeps a wall screen's mark and nothing else in its place", () => {
    const wall = parsePresence({ user: { name: "", color: "#0f766e", id: "w1", screen: "wall" }, selection: [] });
    expect(wall?.user.screen).toBe("wall");
    const odd = parsePresence({ user: { name: "", color: "#0f766e", id: "w1", screen: "<b>" }, selection: [] });
    expect(odd?.user).not.toHaveProperty("screen");
  });
});
