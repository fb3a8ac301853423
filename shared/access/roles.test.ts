import { describe, expect, it } from "vitest";
import { can, forbiddenMessage, isRole, ROLES } from "./roles.ts";

describe("roles", () => {
  it("gives managers everything, reps comments only, leaders nothing", () => {
    expect(ROLES.filter((r) => can(r, "edit-plan"))).toEqual(["edit"]);
    expect(ROLES.filter((r) => can(r, "comment"))).toEqual(["edit", "comment"]);
    expect(ROLES.filter((r) => can(r, "moderate-comments"))).toEqual(["edit"]);
    expect(ROLES.filter((r) => can(r, "manage-links"))).toEqual(["edit"]);
    expect(ROLES.filter((r) => can(r, "delete-plan"))).toEqual(["edit"]);
  });

  it("recognises only the three role names", () => {
    expect(isRole("view")).toBe(true);
    expect(isRole("admin")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });

  it("says what the link allows", () => {
    expect(forbiddenMessage("view", "change territories")).toMatch(/only lets you watch.*cannot change territories/);
    expect(forbiddenMessage("comment", "change territories")).toMatch(/comment but not edit/);
  });
});
