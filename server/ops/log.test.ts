import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, loggablePath, logLevel, planIdOfPath, redactSecrets } from "./log.ts";

/** A logger writing into an array of parsed lines. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createLogger("info", stream), lines };
}

describe("redactSecrets", () => {
  it("blanks token and secret parameters wherever they are, and leaves the rest", () => {
    expect(redactSecrets("/sync/p1?token=abc-_9&x=1")).toBe("/sync/p1?token=[redacted]&x=1");
    expect(redactSecrets("GET /plan/p1?name=Ana&token=abc")).toBe("GET /plan/p1?name=Ana&token=[redacted]");
    expect(redactSecrets("?person=p&secret=s3cr3t#x")).toBe("?person=p&secret=[redacted]#x");
    expect(redactSecrets('{"msg":"bad url http://h/plan/x?token=abc"}')).toBe(
      '{"msg":"bad url http://h/plan/x?token=[redacted]"}',
    );
    // Percent-encoded (a URL inside a URL).
    expect(redactSecrets("/login?next=%2Fplan%2Fx%3Ftoken%3Dabc")).toBe("/login?next=%2Fplan%2Fx%3Ftoken%3D[redacted]");
    expect(redactSecrets("a tokenizer, no secrets")).toBe("a tokenizer, no secrets");
  });
});

describe("loggablePath and planIdOfPath", () => {
  it("keep the path without the query, and find the plan it names", () => {
    expect(loggablePath("/api/plans/abc/territories?token=t&x=1")).toBe("/api/plans/abc/territories");
    expect(loggablePath("/sync/abc?token=t")).toBe("/sync/abc");
    expect(loggablePath(undefined)).toBe("/");
    expect(planIdOfPath("/api/plans/abc/territories")).toBe("abc");
    expect(planIdOfPath("/sync/abc")).toBe("abc");
    expect(planIdOfPath("/plan/abc")).toBe("abc");
    expect(planIdOfPath("/api/plans")).toBeNull();
    expect(planIdOfPath("/assets/app.js")).toBeNull();
  });
});

describe("logLevel", () => {
  it("reads LOG_LEVEL as a person writes it, and names the variable when it is wrong", () => {
    expect(logLevel(undefined)).toBe("info");
    expect(logLevel("")).toBe("info");
    expect(logLevel(" DEBUG ")).toBe("debug");
    expect(logLevel("silent")).toBe("silent");
    expect(() => logLevel("loud")).toThrow(
      /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"$/,
    );
  });
});

describe("the logger", () => {
  it("writes one JSON object a line, censoring credentials by field and in any text", async () => {
    const { log, lines } = capture();
    const child = log.child({ component: "test" });
    child.info({ planId: "p1", token: "tok1", headers: { authorization: "Bearer tok2" } }, "hello");
    child.error({ err: new Error("could not open /sync/p1?token=tok3") }, "failed at /plan/p1?token=tok4");
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ component: "test", planId: "p1", msg: "hello", token: "[redacted]" });
    expect(first?.headers).toEqual({ authorization: "[redacted]" });
    expect(second?.msg).toBe("failed at /plan/p1?token=[redacted]");
    for (const l of lines) expect(l).not.toMatch(/tok\d/);
  });
});
