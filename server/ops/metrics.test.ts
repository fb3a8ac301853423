import { describe, expect, it } from "vitest";
import {
  bearerMatches,
  commitSeconds,
  countLoadedPlansWith,
  registry,
  startMetrics,
  timedCommit,
  updatesRefused,
} from "./metrics.ts";

describe("metrics", () => {
  it("formats every series in the text format with the instance label", async () => {
    startMetrics(8080, "test-instance");
    countLoadedPlansWith(() => 3);
    updatesRefused.inc({ reason: "forbidden" });
    await timedCommit(Promise.resolve());
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE wilayah_commit_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE wilayah_updates_refused_total counter$/m);
    expect(text).toMatch(/^wilayah_loaded_plans\{instance="test-instance"\} 3$/m);
    expect(text).toMatch(/^wilayah_updates_refused_total\{reason="forbidden",instance="test-instance"\} 1$/m);
    expect(text).toMatch(/^wilayah_commit_seconds_count\{instance="test-instance"\} 1$/m);
    expect(text).toMatch(/^wilayah_event_loop_lag_seconds\{quantile="0.99",instance="test-instance"\} [0-9.e-]+$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{instance="test-instance"\} /m);
    // Nothing from prom-client's global registry.
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#"))) {
      expect(line).toMatch(/instance="test-instance"/);
    }
  });

  it("times only commits that succeed", async () => {
    const before = (await commitSeconds.get()).values.find((v) => v.metricName === "wilayah_commit_seconds_count");
    await expect(timedCommit(Promise.reject(new Error("disk")))).rejects.toThrow("disk");
    const after = (await commitSeconds.get()).values.find((v) => v.metricName === "wilayah_commit_seconds_count");
    expect(after?.value).toBe(before?.value);
  });
});

describe("bearerMatches", () => {
  it("accepts the exact token only", () => {
    expect(bearerMatches("Bearer s3cret", "s3cret")).toBe(true);
    expect(bearerMatches("bearer s3cret", "s3cret")).toBe(true);
    expect(bearerMatches("Bearer s3cre", "s3cret")).toBe(false);
    expect(bearerMatches("Bearer s3cret2", "s3cret")).toBe(false);
    expect(bearerMatches("s3cret", "s3cret")).toBe(false);
    expect(bearerMatches(undefined, "s3cret")).toBe(false);
    expect(bearerMatches("Bearer ", "")).toBe(false);
  });
});
