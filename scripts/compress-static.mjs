// Writes a brotli (.br) and a gzip (.gz) copy beside every compressible file
// of the built client (dist/), once at build time and at the highest levels,
// so server/static.ts sends them by Accept-Encoding without compressing
// anything per request (the basemap TopoJSON alone is 3.6 MB, about 0.8 MB
// in brotli). A copy that would not be smaller is not written.
//
//   node scripts/compress-static.mjs [dir]     (default dist)
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "..");
const dir = path.resolve(ROOT, process.argv[2] ?? "dist");
// What server/static.ts sends compressed, and from what size.
const { extensions, minBytes: MIN_BYTES } = JSON.parse(
  await fs.readFile(path.join(ROOT, "server/static-compressible.json"), "utf8"),
);
const COMPRESSIBLE = new Set(extensions);

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

async function* files(d) {
  for (const entry of await fs.readdir(d, { withFileTypes: true })) {
    const p = path.join(d, entry.name);
    if (entry.isDirectory()) yield* files(p);
    else if (entry.isFile()) yield p;
  }
}

let count = 0;
let before = 0;
let after = 0;
for await (const file of files(dir)) {
  if (!COMPRESSIBLE.has(path.extname(file))) continue;
  const data = await fs.readFile(file);
  if (data.length < MIN_BYTES) continue;
  const [br, gz] = await Promise.all([
    brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      },
    }),
    gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
  ]);
  if (br.length < data.length) await fs.writeFile(`${file}.br`, br);
  if (gz.length < data.length) await fs.writeFile(`${file}.gz`, gz);
  count++;
  before += data.length;
  after += Math.min(br.length, data.length);
}
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(
  `Compressed ${count} files in ${path.relative(ROOT, dir)}/: ${mb(before)} → ${mb(after)} in brotli (gzip beside it)`,
);
