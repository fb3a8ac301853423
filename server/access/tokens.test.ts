import { describe, expect, it } from "vitest";
import { addLink, checkToken, hashToken, newAccess, removeLink, rotate, rotateLink, shareLink } from "./tokens.ts";

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
    expect(checkToken(access, tokens.edit)).toEqual({ ok: true, role: "edit", link: null });
    expect(checkToken(access, tokens.comment)).toEqual({ ok: true, role: "comment", link: null });
    expect(checkToken(access, tokens.view)).toEqual({ ok: true, role: "view", link: null });
    expect(checkToken(access, null)).toEqual({ ok: false, reason: "missing" });
    expect(checkToken(access, newAccess().tokens.edit)).toEqual({ ok: false, reason: "invalid" });
    expect(checkToken(access, "x".repeat(1000))).toEqual({ ok: false, reason: "invalid" });
  });

  it("rotation revokes the old token at once and keeps the others", () => {
    const { access, tokens } = newAccess();
    const { access: next, token } = rotate(access, "comment");
    expect(checkToken(next, tokens.comment)).toEqual({ ok: false, reason: "revoked" });
    expect(checkToken(next, token)).toEqual({ ok: true, role: "comment", link: null });
    expect(checkToken(next, tokens.edit)).toEqual({ ok: true, role: "edit", link: null });
  });

  it("labelled links open with their role and scope, rotate by id and stop when removed (issue 15)", () => {
    const base = newAccess();
    const scope = { parent: "jabar" };
    const added = addLink(base.access, { role: "edit", label: "Jawa Barat", scope });
    expect(added.link.id).toMatch(/^l-/);
    expect(JSON.stringify(added.access)).not.toContain(added.token);
    expect(checkToken(added.access, added.token)).toEqual({ ok: true, role: "edit", link: added.link });
    expect(checkToken(added.access, base.tokens.edit)).toEqual({ ok: true, role: "edit", link: null });
    // Rotating a role link keeps the labelled ones.
    expect(checkToken(rotate(added.access, "edit").access, added.token)).toMatchObject({ ok: true });

    const rotated = rotateLink(added.access, added.link.id);
    if (!rotated) throw new Error("no link");
    expect(checkToken(rotated.access, added.token)).toEqual({ ok: false, reason: "revoked" });
    expect(checkToken(rotated.access, rotated.token)).toMatchObject({ ok: true, link: { label: "Jawa Barat", scope } });

    const removed = removeLink(rotated.access, added.link.id);
    if (!removed) throw new Error("no link");
    expect(checkToken(removed.access, rotated.token)).toEqual({ ok: false, reason: "revoked" });
    expect(removed.access.labelled).toEqual([]);
    expect(rotateLink(removed.access, added.link.id)).toBeNull();
    expect(removeLink(removed.access, "l-nope")).toBeNull();
  });

  it("builds the share link with the token as the token query parameter", () => {
    expect(shareLink("http://h:1", "p1", "a-b_c")).toBe("http://h:1/plan/p1?token=a-b_c");
  });
});
