// Builds the server into plain JavaScript (dist-server/), so production runs
// no TypeScript and needs no tsx (issue 16): the server's entry and each
// worker's (server/<name>/worker.ts → dist-server/<name>-worker.mjs, where
// server/util/worker-url.ts looks for them when built), with the files the
// demo reads at run time copied beside them. Packages stay external (they
// are installed by `npm ci --omit=dev`), and the build fails if the bundle
// imports one that is not in `dependencies`: that install would not have it.
//
//   node scripts/build-server.mjs [outDir]     (default dist-server)
import fs from "node:fs/promises";
import { builtinModules } from "node:module";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");
const outDir = path.resolve(ROOT, process.argv[2] ?? "dist-server");

/** Read at run time through `new URL(…, import.meta.url)` by server/demo/seed.ts. */
const DEMO_FILES = ["server/demo/java-territories.geojson", "server/demo/java-cities.json"];

const workers = [];
for (const dir of await fs.readdir(path.join(ROOT, "server"), { withFileTypes: true })) {
  if (!dir.isDirectory()) continue;
  const entry = path.join(ROOT, "server", dir.name, "worker-entry.mjs");
  if (await fs.stat(entry).catch(() => null)) workers.push(dir.name);
}
if (workers.length === 0) throw new Error("no server/*/worker-entry.mjs found");

await fs.rm(outDir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: {
    index: "server/index.ts",
    ...Object.fromEntries(workers.map((name) => [`${name}-worker`, `server/${name}/worker.ts`])),
  },
  outdir: outDir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  // No code splitting: every file's import.meta.url must be outDir itself (workers, demo files).
  splitting: false,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
});

const pkg = JSON.parse(await fs.readFile(path.join(ROOT, "package.json"), "utf8"));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);
const missing = new Set();
for (const output of Object.values(result.metafile.outputs)) {
  for (const imp of output.imports) {
    if (!imp.external || imp.path.startsWith("node:") || builtins.has(imp.path)) continue;
    const name = imp.path.startsWith("@") ? imp.path.split("/").slice(0, 2).join("/") : imp.path.split("/")[0];
    if (!dependencies.has(name)) missing.add(name);
  }
}
if (missing.size > 0) {
  throw new Error(
    `The server imports ${[...missing].join(", ")} at run time, but package.json has it only in devDependencies (or not at all): \`npm ci --omit=dev\` would not install it. Move it to dependencies.`,
  );
}

for (const file of DEMO_FILES) await fs.copyFile(path.join(ROOT, file), path.join(outDir, path.basename(file)));

const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".mjs"));
console.log(
  `Server built into ${path.relative(ROOT, outDir) || "."}/: ${files.map((f) => path.basename(f)).join(", ")}`,
);
