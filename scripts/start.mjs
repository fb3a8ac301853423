// `npm start`: runs the built server (dist-server/) serving the built client
// (dist/), no TypeScript at run time. Builds first (`npm run build`) when
// there is no build yet, as on a fresh clone, or when the sources changed
// since, so `npm install && npm start` does the whole thing for a newcomer.
// Where the sources or the build tools are absent (`npm ci --omit=dev`, the
// Docker image) it runs the build it finds, or says what to do.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER = path.join(ROOT, "dist-server", "index.mjs");
const CLIENT = path.join(ROOT, "dist", "index.html");
const SOURCES = ["server", "shared", "client"].map((d) => path.join(ROOT, d));

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** The newest modification time under the source folders (0 without sources). */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (!/\.test\.ts$/.test(entry.name)) newest = Math.max(newest, mtime(p) ?? 0);
    }
  };
  for (const dir of SOURCES) if (fs.existsSync(dir)) walk(dir);
  return newest;
}

const built = Math.min(mtime(SERVER) ?? -1, mtime(CLIENT) ?? -1);
const canBuild =
  fs.existsSync(path.join(ROOT, "node_modules", "vite")) && fs.existsSync(path.join(ROOT, "node_modules", "esbuild"));
const reason = built < 0 ? "no build yet" : newestSource() > built ? "the sources changed since the last build" : null;

if (reason && canBuild) {
  console.log(`npm start: ${reason}, building first (npm run build)…`);
  const run = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
} else if (built < 0) {
  console.error(
    "Wilayah cannot start: there is no build (dist-server/ and dist/), and the build tools are not installed (npm ci --omit=dev?). Run `npm ci && npm run build` first.",
  );
  process.exit(1);
} else if (reason) {
  console.warn(`npm start: ${reason}, but the build tools are not installed; running the existing build.`);
}

process.setSourceMapsEnabled(true);
await import(pathToFileURL(SERVER).href);
