import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, configFromEnv } from "./config.ts";

/** The problems configFromEnv reports for `env`, or [] when it accepts it. */
function problems(env: Record<string, string>): readonly string[] {
  try {
    configFromEnv(env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
}

describe("configFromEnv", () => {
  it("takes the defaults from an empty environment", () => {
    const c = configFromEnv({});
    expect(c.port).toBe(8080);
    expect(c.seedDemo).toBe(true);
    expect(c.scoring).toBe(true);
    expect(c.shutdownTimeoutMs).toBe(10_000);
    expect(c.dataDir).toBe(path.resolve("./data"));
    expect(c.publicUrl).toBeNull();
    expect(c.personKey).toBeNull();
  });

  it("treats an empty variable as unset", () => {
    expect(configFromEnv({ PORT: "", SEED_DEMO: " " }).port).toBe(8080);
    expect(configFromEnv({ SEED_DEMO: "" }).seedDemo).toBe(true);
  });

  it("names the variable and the expected value for a port that is not a number", () => {
    expect(problems({ PORT: "80a" })).toEqual(['PORT must be a whole number between 0 and 65535, got "80a"']);
    expect(problems({ PORT: "65536" })).toEqual(['PORT must be a whole number between 0 and 65535, got "65536"']);
    expect(problems({ PORT: "-1" })).toHaveLength(1);
    expect(problems({ PORT: "8.5" })).toHaveLength(1);
    expect(problems({ PORT: "1e3" })).toHaveLength(1);
    expect(configFromEnv({ PORT: "0" }).port).toBe(0);
    expect(configFromEnv({ PORT: " 3000 " }).port).toBe(3000);
  });

  it("reads booleans the way a person writes them, in any case", () => {
    for (const yes of ["1", "true", "TRUE", "yes", "Yes", "on", "ON"]) {
      expect(configFromEnv({ SEED_DEMO: yes, SCORING: yes })).toMatchObject({ seedDemo: true, scoring: true });
    }
    for (const no of ["0", "false", "False", "no", "NO", "off", "Off"]) {
      expect(configFromEnv({ SEED_DEMO: no, SCORING: no })).toMatchObject({ seedDemo: false, scoring: false });
    }
  });

  it("refuses a boolean it cannot read, by name", () => {
    expect(problems({ SEED_DEMO: "nope" })).toEqual([
      'SEED_DEMO must be 1/0, true/false, yes/no or on/off, got "nope"',
    ]);
    expect(problems({ SCORING: "2" })).toEqual(['SCORING must be 1/0, true/false, yes/no or on/off, got "2"']);
  });

  it("reports every problem at once", () => {
    const all = problems({
      PORT: "80a",
      SEED_DEMO: "maybe",
      RATE_LIMIT_PER_SEC: "fast",
      DEMO_COPY_TTL_DAYS: "-2",
      PUBLIC_URL: "ftp://example.com",
      PERSON_KEY: "short",
      BALANCE_MAX_RUNS: "0",
      SHUTDOWN_TIMEOUT_MS: "0",
      TRUST_PROXY: "yes",
    });
    expect(all.map((p) => p.split(" ")[0])).toEqual([
      "PORT",
      "SEED_DEMO",
      "RATE_LIMIT_PER_SEC",
      "BALANCE_MAX_RUNS",
      "TRUST_PROXY",
      "PUBLIC_URL",
      "DEMO_COPY_TTL_DAYS",
      "PERSON_KEY",
      "SHUTDOWN_TIMEOUT_MS",
    ]);
    for (const p of all) expect(p).toMatch(/must be/);
    expect(() => configFromEnv({ PORT: "80a", SCORING: "x" })).toThrow(/2 problems:\n {2}- PORT .*\n {2}- SCORING/);
  });

  it("reads decimals for the demo copies' lifetime", () => {
    expect(configFromEnv({ DEMO_COPY_TTL_DAYS: "0.5" }).demoCopyTtlDays).toBe(0.5);
    expect(configFromEnv({ DEMO_COPY_TTL_DAYS: "0" }).demoCopyTtlDays).toBe(0);
    expect(configFromEnv({ DEMO_COPY_TTL_DAYS: "2e-5" }).demoCopyTtlDays).toBe(2e-5);
    expect(problems({ DEMO_COPY_TTL_DAYS: "3 days" })).toEqual([
      'DEMO_COPY_TTL_DAYS must be a number 0 or more (decimals with a point, like 0.5), got "3 days"',
    ]);
  });

  it("keeps PUBLIC_URL to an http(s) origin", () => {
    expect(configFromEnv({ PUBLIC_URL: "https://wilayah.example.com/" }).publicUrl).toBe("https://wilayah.example.com");
    expect(problems({ PUBLIC_URL: "https://example.com/app" })[0]).toMatch(/^PUBLIC_URL must be the scheme and host/);
    expect(problems({ PUBLIC_URL: "not a url" })[0]).toMatch(/^PUBLIC_URL must be an absolute/);
  });

  it("checks the two request timeouts against each other", () => {
    expect(problems({ HEADERS_TIMEOUT_MS: "20000", REQUEST_TIMEOUT_MS: "10000" })).toEqual([
      "HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS, got 20000 > 10000",
    ]);
  });

  it("takes PERSON_KEY as given when long enough", () => {
    expect(configFromEnv({ PERSON_KEY: " sixteen chars!! " }).personKey).toBe(" sixteen chars!! ");
    expect(problems({ PERSON_KEY: "short" })).toEqual(["PERSON_KEY must be at least 16 characters long, got 5"]);
  });

  it("refuses an ADMIN_TOKEN short enough to guess: it may replace any plan's links", () => {
    expect(configFromEnv({ ADMIN_TOKEN: "a-long-enough-admin-token" }).adminToken).toBe("a-long-enough-admin-token");
    expect(problems({ ADMIN_TOKEN: "admin" })).toEqual(["ADMIN_TOKEN must be at least 16 characters long, got 5"]);
  });
});
