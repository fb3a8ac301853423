import { describe, expect, it } from "vitest";
import { checkToken, hashToken, newAccess, rotate, shareLink } from "./tokens.ts";

describe("share-link tokens", () => {
  it("makes 256-bit tokens and stores only their hashes", () => {
    const { access, tokens } = newAccess();
    expect(Buffer.from(tokens.edit, "base64url")).toHaveLength(32);
    expect(new Set(Object.values(tokens)).size).toBe(3);
    const stored = JSON.stringify(access);
    for (const token of Object.values(tokens)) expect(stored).not.toContain(token);
    expect(access.links.view.hash).toBe(hashToken(tokens.view));
  });

  it("tells each role's token apart and refuses others", () => {
    const { access, tokens } = newAccess();
    expect(checkToken(access, tokens.edit)).toEqual({ ok: true, role: "edit" });
    expect(checkToken(access, tokens.comment)).toEqual({ ok: true, role: "comment" });
    expect(checkToken(access, tokens.view)).toEqual({ ok: true, role: "view" });
    expect(checkToken(access, null)).toEqual({ ok: false, reason: "missing" });
    expect(checkToken(access, newAccess().tokens.edit)).toEqual({ ok: false, reason: "invalid" });
    expect(checkToken(access, "x".repeat(1000))).toEqual({ ok: false, reason: "invalid" });
  });

  it("rotation revokes the old token at once and keeps the others", () => {
    const { access, tokens } = newAccess();
    const { access: next, token } = rotate(access, "comment");
    expect(checkToken(next, tokens.comment)).toEqual({ ok: false, reason: "revoked" });
    expect(checkToken(next, token)).toEqual({ ok: true, role: "comment" });
    expect(checkToken(next, tokens.edit)).toEqual({ ok: true, role: "edit" });
  });

  it("builds the share link with the token as the token query parameter", () => {
    expect(shareLink("http://h:1", "p1", "a-b_c")).toBe("http://h:1/plan/p1?token=a-b_c");
  });
});
