import { describe, expect, it } from "vitest";
import { FollowGuard, sameView } from "./follow-guard.ts";

describe("follow guard", () => {
  it("takes changes during a follow animation as the follow's own", () => {
    const guard = new FollowGuard();
    const id = guard.started();
    expect(guard.isOwnMove(false)).toBe(false);
    guard.ended(id);
    expect(guard.isOwnMove(false)).toBe(true);
  });

  it("takes a drag as mine even while a follow animation runs", () => {
    const guard = new FollowGuard();
    guard.started();
    expect(guard.isOwnMove(true)).toBe(true);
  });

  it("takes changes after my input as mine, although the cancelled animation's callback comes later", () => {
    const guard = new FollowGuard();
    const a = guard.started();
    guard.input();
    expect(guard.isOwnMove(false)).toBe(true);
    guard.ended(a);
    expect(guard.isOwnMove(false)).toBe(true);
  });

  it("is not fooled by a late callback of a replaced animation", () => {
    const guard = new FollowGuard();
    const a = guard.started();
    const b = guard.started();
    guard.ended(a);
    expect(guard.isOwnMove(false)).toBe(false);
    guard.ended(b);
    expect(guard.isOwnMove(false)).toBe(true);
  });

  it("compares views to the eye", () => {
    expect(sameView({ center: [106.8, -6.2], zoom: 10 }, { center: [106.800001, -6.2], zoom: 10.001 })).toBe(true);
    expect(sameView({ center: [106.8, -6.2], zoom: 10 }, { center: [106.9, -6.2], zoom: 10 })).toBe(false);
    expect(sameView(null, null)).toBe(true);
    expect(sameView(null, { center: [0, 0], zoom: 1 })).toBe(false);
  });
});
