import { defineConfig } from "vitest/config";

// Unit tests sit next to the code (shared/, server/); integration tests start
// the real server process in tests/integration. Playwright owns tests/e2e.
export default defineConfig({
  test: {
    include: ["shared/**/*.test.ts", "server/**/*.test.ts", "client/**/*.test.ts", "tests/integration/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
