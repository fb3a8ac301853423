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
    });
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
});
