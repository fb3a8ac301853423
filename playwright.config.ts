import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests: the real server (tsx server/index.ts) on port 8791 with a
 * fresh temporary data directory, serving the built client from dist/ (build
 * first: `npm test` / `npm run test:e2e` do). Chromium is the system one when
 * present (no browser download needed); nothing reaches the internet.
 */
// E2E_PORT / E2E_DIST let several checkouts or builds run side by side.
const PORT = Number(process.env.E2E_PORT ?? 8791);
const staticDir = process.env.E2E_DIST;
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: process.env.E2E_OUTPUT ?? "test-results",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 2,
  fullyParallel: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    viewport: { width: 1360, height: 860 },
    locale: "en-US",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: existsSync(chromium) ? chromium : undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "DATA_DIR=$(mktemp -d -t wilayah-e2e-XXXXXX) exec npx tsx server/index.ts",
    // One address opens many plans and sockets here; the limits have their own integration tests.
    env: {
      PORT: String(PORT),
      RATE_LIMIT_PER_SEC: "0",
      PLANS_PER_HOUR: "0",
      MAX_CONNECTIONS_PER_ADDRESS: "0",
      DEMO_COPIES_PER_HOUR: "0",
      ...(staticDir ? { STATIC_DIR: staticDir } : {}),
    },
    url: `http://localhost:${PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
