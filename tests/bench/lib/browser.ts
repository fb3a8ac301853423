/**
 * What the benchmarks that drive a browser share: Chromium's flags and
 * window, a returning user, the client build and the Chromium they need, the
 * check that nothing covers the map before it is dragged, and the figures of
 * recorded frames.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { percentileSorted } from "./report.ts";
import { ROOT } from "./servers.ts";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const VIEWPORT = { width: 1280, height: 800 };
/** Chromium's flags and window, for a benchmark's description. */
export const CHROMIUM_SETUP = `${CHROMIUM_ARGS.join(" ")}; ${VIEWPORT.width}×${VIEWPORT.height}`;
/**
 * A returning user: the client asks a first-time visitor for a name in a
 * modal that would cover the map (client/state/identity.svelte.ts keeps it
 * in localStorage under this key).
 */
const IDENTITY_SCRIPT = `try { localStorage.setItem("wilayah.user", JSON.stringify({ name: "Bench", color: "#0284c7", id: "benchuser0001" })); } catch {}`;

/**
 * The client build (BENCH_STATIC_DIR, default dist/) a browser benchmark
 * serves and the headless Chromium (CHROMIUM_PATH) it drives, or why it
 * cannot run (`only`: its BENCH_ONLY name, for the sentence).
 */
export async function findBrowser(
  only: string,
): Promise<
  { staticDir: string; launch: (extraArgs?: string[]) => Promise<Browser>; missing?: undefined } | { missing: string }
> {
  const staticDir = path.resolve(ROOT, process.env.BENCH_STATIC_DIR ?? "dist");
  try {
    await fs.access(path.join(staticDir, "index.html"));
  } catch {
    return {
      missing: `${path.relative(ROOT, staticDir) || staticDir}/ has no index.html: build the client first (\`npx vite build\`), then run \`BENCH_ONLY=${only} npm run bench\`.`,
    };
  }
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  try {
    await fs.access(executablePath);
  } catch {
    return { missing: `no Chromium at ${executablePath} (set CHROMIUM_PATH).` };
  }
  const launch = async (extraArgs: string[] = []) => {
    const { chromium } = await import("playwright-core");
    return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  };
  return { staticDir, launch };
}

/** A new context of the benchmarks' window, as a returning user (no name prompt over the map). */
export async function returningUser(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(IDENTITY_SCRIPT);
  return context;
}

/** Fails when something (a dialog, a panel) covers the middle of the map, where the drags happen. */
export async function assertMapUncovered(page: Page): Promise<void> {
  const box = await page.locator('[data-testid="map"]').boundingBox();
  if (!box) throw new Error("the map element has no box");
  const cover = await page.evaluate(
    ([x, y]) => {
      const el = document.elementFromPoint(x as number, y as number);
      if (!el || el.closest('[data-testid="map"]')) return null;
      return `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(" ").join(".")}` : ""}: "${(el.textContent ?? "").trim().slice(0, 80)}"`;
    },
    [box.x + box.width / 2, box.y + box.height / 2],
  );
  if (cover) throw new Error(`something covers the map where the bench would drag it: ${cover}`);
}

/** Recorded requestAnimationFrame deltas in figures. */
export interface FrameFigures {
  frames: number;
  /** The deltas' sum. */
  seconds: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Frames over 33 ms (below 30 fps). */
  dropped: number;
  longTaskMs: number;
}

export function frameFigures(deltas: number[], longTasks: number[] = []): FrameFigures {
  const s = [...deltas].sort((a, b) => a - b);
  return {
    frames: s.length,
    seconds: s.reduce((a, d) => a + d, 0) / 1000,
    medianMs: percentileSorted(s, 50),
    p95Ms: percentileSorted(s, 95),
    maxMs: s[s.length - 1] ?? Number.NaN,
    dropped: s.filter((d) => d > 33).length,
    longTaskMs: longTasks.reduce((a, d) => a + d, 0),
  };
}
