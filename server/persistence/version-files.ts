import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { crc32, gunzip as gunzipCb, gzip as gzipCb } from "node:zlib";
import type { VersionContent } from "../../shared/versions/content.ts";
import type { VersionEntry } from "../../shared/versions/entry.ts";
import {
  DurableJSONFile,
  encodeJsonFile,
  fsyncDir,
  parse,
  removeTempFiles,
  verifiedJsonBody,
  writeDurably,
} from "./durable-json-file.ts";
import { asWriteError, DamagedFileError } from "./fs-errors.ts";
import { DamagedVersionError, type KeptKind, type StoredVersion } from "./store.ts";
import { logger } from "../ops/log.ts";

const versionsLog = logger("versions");

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/** The folder beside a plan's files that holds its versions. */
export const VERSIONS_DIR = "versions";
const INDEX = "index.json";
const VERSION_FILE = /^(v-[A-Za-z0-9_-]+)\.json\.gz$/;
const KEPT_FILE = /^(accounts|competitors|units)-(\d+)\.json\.gz$/;

interface IndexFile {
  versions: VersionEntry[];
}

const versionFile = (id: string) => `${id}.json.gz`;
const keptFile = (kind: KeptKind, version: number) => `${kind}-${version}.json.gz`;

/**
 * A plan's versions in the lowdb store (issue 14), in `versions/` beside
 * its files:
 *
 * ```
 * versions/index.json                 the list (checksummed JSON): each version's entry, oldest first
 * versions/v-<id>.json.gz             one version: gzip of its checksummed JSON {entry, content} and its geometries (packVersion)
 * versions/accounts-<v>.json.gz       accounts version v as accounts.json held it (gzipped), kept once
 * versions/competitors-<v>.json.gz    likewise data-competitors.json, and the unit layer (units-<v>)
 * ```
 *
 * Every file is written durably (temporary file, fsync, rename, fsync of
 * the folder) and checked when read (gzip's own CRC and length, then the
 * JSON's checksum). A save writes the version's file, then the list, before
 * it is acknowledged. The version files are the list's second copy: a
 * damaged or missing list is rebuilt from them. A file the list names but
 * that is missing or damaged is reported as such (copied aside, never
 * dropped); a file the list does not name was a save cut off before its
 * answer or a delete cut off after it, and is removed.
 */
export class VersionFiles {
  private index: VersionEntry[] | null = null;
  private loading: Promise<VersionEntry[]> | null = null;
  private readonly dir: string;
  private readonly indexFile: DurableJSONFile<IndexFile>;
  /** Damage found reading versions' files while the plan is open: id → what. */
  private readonly damage = new Map<string, string>();

  constructor(
    private readonly planId: string,
    planDir: string,
    /** The plan's current file of each kind (accounts.json, …). */
    private readonly liveFile: (kind: KeptKind) => string,
    /** Copies damaged files (paths relative to the plan's folder) aside; the copy's folder, or null. */
    private readonly copyAside: (files: string[]) => Promise<string | null>,
  ) {
    this.dir = path.join(planDir, VERSIONS_DIR);
    this.indexFile = new DurableJSONFile<IndexFile>(path.join(this.dir, INDEX), {
      check: (v) =>
        typeof v === "object" && v !== null && Array.isArray((v as IndexFile).versions)
          ? null
          : "it does not hold a list of versions",
    });
  }

  async list(): Promise<StoredVersion[]> {
    const index = await this.load();
    const files = new Set(await this.names());
    return index.map((e) => {
      const damaged = files.has(versionFile(e.id)) ? this.damage.get(e.id) : "its file is missing";
      return damaged ? { ...e, damaged } : { ...e };
    });
  }

  async put(entry: VersionEntry, content: VersionContent): Promise<number> {
    const index = await this.load();
    const bytes = await gzip(packVersion(entry, content));
    await fs.mkdir(this.dir, { recursive: true });
    await writeDurably(path.join(this.dir, versionFile(entry.id)), bytes);
    const next = [...index, { ...entry, bytes: bytes.length }];
    await this.indexFile.write({ versions: next });
    this.index = next;
    return bytes.length;
  }

  async body(id: string): Promise<string | null> {
    const index = await this.load();
    if (!index.some((e) => e.id === id)) return null;
    const text = await this.readGz(versionFile(id), true);
    if (text === null) throw this.damaged(id, versionFile(id), "its file is missing");
    return text;
  }

  async remove(ids: readonly string[]): Promise<void> {
    const index = await this.load();
    const gone = new Set(ids);
    const next = index.filter((e) => !gone.has(e.id));
    if (next.length === index.length) return;
    await this.indexFile.write({ versions: next });
    this.index = next;
    for (const id of gone) {
      this.damage.delete(id);
      await fs.rm(path.join(this.dir, versionFile(id)), { force: true });
    }
    await fsyncDir(this.dir).catch(() => {});
  }

  // ── data kept for versions ───────────────────────────────────────────────

  async keep(kind: KeptKind): Promise<number> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.liveFile(kind));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
      throw e;
    }
    const version = versionOf(verifiedJsonBody(bytes, path.basename(this.liveFile(kind))));
    if (version === 0) return 0;
    const target = path.join(this.dir, keptFile(kind, version));
    if (await exists(target)) return version;
    await fs.mkdir(this.dir, { recursive: true });
    await writeDurably(target, await gzip(bytes));
    return version;
  }

  async kept(kind: KeptKind, version: number): Promise<string | null> {
    const text = await this.readGz(keptFile(kind, version), false);
    if (text !== null) return text;
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.liveFile(kind));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    const body = verifiedJsonBody(bytes, path.basename(this.liveFile(kind)));
    return versionOf(body) === version ? body.toString("utf8") : null;
  }

  /**
   * Makes `version` of a kind the current data of another plan (a new
   * scenario, issue 14) without copying it where the file system allows:
   * the current file when it is that version, hard-linked under the other
   * plan's name (files here are only ever replaced by a rename, never
   * written in place, so two names of one file never see each other's
   * later writes), and the copy kept for versions linked beside the other
   * plan's versions, so its first checkpoint keeps nothing again. When the
   * current file has moved on, the kept copy is unpacked as the other
   * plan's current file (a copy: one is gzipped, the other is not). False
   * when neither holds that version.
   */
  async shareInto(kind: KeptKind, version: number, to: VersionFiles): Promise<boolean> {
    let shared = false;
    const live = this.liveFile(kind);
    try {
      const bytes = await fs.readFile(live);
      if (versionOf(verifiedJsonBody(bytes, path.basename(live))) === version) {
        await linkOrCopy(live, to.liveFile(kind));
        shared = true;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const name = keptFile(kind, version);
    if (await exists(path.join(this.dir, name))) {
      if (!shared) {
        const text = (await this.readGz(name, false)) as string;
        await writeDurably(
          to.liveFile(kind),
          `{"crc32":"${crc32(text).toString(16).padStart(8, "0")}","data":${text}}`,
        );
        shared = true;
      }
      await fs.mkdir(to.dir, { recursive: true });
      await linkOrCopy(path.join(this.dir, name), path.join(to.dir, name));
    }
    return shared;
  }

  async keptVersions(kind: KeptKind): Promise<number[]> {
    const out: number[] = [];
    for (const name of await this.names()) {
      const m = KEPT_FILE.exec(name);
      if (m && m[1] === kind) out.push(Number(m[2]));
    }
    return out.sort((a, b) => a - b);
  }

  async drop(kind: KeptKind, version: number): Promise<void> {
    await fs.rm(path.join(this.dir, keptFile(kind, version)), { force: true });
  }

  // ── reading ──────────────────────────────────────────────────────────────

  /** The list, read once per plan load: rebuilt from the version files when it is damaged or missing. */
  private load(): Promise<VersionEntry[]> {
    if (this.index) return Promise.resolve(this.index);
    this.loading ??= this.read().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async read(): Promise<VersionEntry[]> {
    await removeTempFiles(this.dir);
    let index: VersionEntry[] | null = null;
    let damage: string | null = null;
    try {
      index = (await this.indexFile.read())?.versions ?? null;
    } catch (e) {
      if (!(e instanceof DamagedFileError)) throw e;
      damage = e.damage;
    }
    const files = (await this.names()).filter((n) => VERSION_FILE.test(n));
    if (index === null && (damage !== null || files.length > 0)) {
      index = await this.rebuild(files, damage);
    }
    index ??= [];
    // Files the list does not name: a save cut off before its answer, or a delete after it.
    const named = new Set(index.map((e) => versionFile(e.id)));
    for (const name of files.filter((n) => !named.has(n))) {
      versionsLog.info(
        { planId: this.planId },
        `${VERSIONS_DIR}/${name} is in no list (a save or delete cut off); removed`,
      );
      await fs.rm(path.join(this.dir, name), { force: true }).catch(() => {});
    }
    this.index = index;
    return index;
  }

  /** The list made again from the version files (each holds its own entry). */
  private async rebuild(files: string[], damage: string | null): Promise<VersionEntry[]> {
    const aside = damage ? await this.copyAside([`${VERSIONS_DIR}/${INDEX}`]) : null;
    const out: VersionEntry[] = [];
    for (const name of files) {
      const id = (VERSION_FILE.exec(name) as RegExpExecArray)[1] as string;
      try {
        const text = await this.readGz(name, true);
        const { entry } = parse(text ?? "", name) as { entry: VersionEntry };
        const size = (await fs.stat(path.join(this.dir, name))).size;
        out.push({ ...entry, id, bytes: size });
      } catch (e) {
        if (!(e instanceof DamagedVersionError)) throw e;
        const stat = await fs.stat(path.join(this.dir, name));
        out.push(unreadableEntry(id, stat.mtime.toISOString(), stat.size));
      }
    }
    out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    await fs.mkdir(this.dir, { recursive: true });
    await this.indexFile.write({ versions: out });
    versionsLog.error(
      { planId: this.planId, file: `${VERSIONS_DIR}/${INDEX}`, damage: damage ?? "missing" },
      `${VERSIONS_DIR}/${INDEX} was ${damage ? `damaged (${damage})` : "missing"}; rebuilt it from the ${files.length} version files` +
        (aside ? ` (the damaged file is in ${aside})` : ""),
    );
    return out;
  }

  /**
   * A gzipped checksummed JSON file's body as text, checked; null when it
   * does not exist. Damage is copied aside, logged and thrown as a
   * DamagedVersionError (remembered for the list when it is a version).
   */
  private async readGz(name: string, isVersion: boolean): Promise<string | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path.join(this.dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    let problem: string;
    try {
      const plain = await gunzip(bytes);
      return isVersion ? unpackVersion(plain, name) : verifiedJsonBody(plain, name).toString("utf8");
    } catch (e) {
      if (e instanceof DamagedFileError) problem = e.damage;
      else if ((e as NodeJS.ErrnoException).code?.startsWith("Z_"))
        problem = `it does not decompress (${(e as Error).message})`;
      else throw e;
    }
    const id = isVersion ? ((VERSION_FILE.exec(name) as RegExpExecArray)[1] as string) : null;
    throw this.damaged(id, name, problem, true);
  }

  private damaged(id: string | null, name: string, problem: string, copy = false): DamagedVersionError {
    const file = `${VERSIONS_DIR}/${name}`;
    if (id) this.damage.set(id, problem);
    if (copy) {
      void this.copyAside([file]).then((aside) =>
        versionsLog.error(
          { planId: this.planId, file, damage: problem, aside: aside ?? undefined },
          `${file} is damaged (${problem}); it is reported, not dropped`,
        ),
      );
    }
    return new DamagedVersionError(this.planId, file, problem);
  }

  private async names(): Promise<string[]> {
    try {
      return await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
  }
}

/**
 * The entry of a version whose own entry cannot be read (it is in damaged
 * data): listed under its id, named, so it is never thinned away unseen.
 */
export function unreadableEntry(id: string, at: string, bytes: number): VersionEntry {
  return {
    id,
    name: id,
    at,
    by: { id: "system", name: "Wilayah", role: "edit" },
    auto: false,
    reason: null,
    summary: "",
    refs: { accounts: 0, competitors: 0, units: 0 },
    bytes,
  };
}

/**
 * A version's file before gzip: u32 length of the JSON · u32 CRC-32 of the
 * geometries · the JSON (checksummed, {entry, content}) with each
 * territory's geometry as "@<offset>+<length>" · the geometries' bytes.
 * The geometries stay binary: as base64 inside the JSON they were a third
 * larger and gzip compressed them half as well (a version of 500
 * territories and 100,000 vertices: 334 KiB, binary: about half of that).
 */
export function packVersion(entry: VersionEntry, content: VersionContent): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const territories = content.territories.map((t) => {
    if (t.geometry === undefined) return t;
    const bytes = Buffer.from(t.geometry, "base64");
    parts.push(bytes);
    const ref = `@${offset}+${bytes.length}`;
    offset += bytes.length;
    return { ...t, geometry: ref };
  });
  const json = Buffer.from(encodeJsonFile({ entry, content: { ...content, territories } }), "utf8");
  const blob = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(json.length, 0);
  head.writeUInt32LE(crc32(blob), 4);
  return Buffer.concat([head, json, blob]);
}

const GEOMETRY_REF = /"geometry":"@(\d+)\+(\d+)"/g;

/** A version's checked JSON, geometries back in as base64 (what the content holds); throws DamagedFileError. */
export function unpackVersion(plain: Buffer, name: string): string {
  if (plain.length < 8) throw new DamagedFileError(name, "it is cut short");
  const length = plain.readUInt32LE(0);
  if (8 + length > plain.length) throw new DamagedFileError(name, "its length field runs past its end");
  const blob = plain.subarray(8 + length);
  if (crc32(blob) !== plain.readUInt32LE(4)) throw new DamagedFileError(name, "its geometries fail their checksum");
  const text = verifiedJsonBody(plain.subarray(8, 8 + length), name).toString("utf8");
  return text.replace(GEOMETRY_REF, (_, at: string, n: string) => {
    const start = Number(at);
    const end = start + Number(n);
    if (end > blob.length) throw new DamagedFileError(name, "a geometry runs past its end");
    return `"geometry":"${blob.subarray(start, end).toString("base64")}"`;
  });
}

/** The `version` a stored JSON file holds, read from its head when it is there (the accounts file writes it first). */
function versionOf(body: Buffer): number {
  const head = body.subarray(0, 512).toString("latin1");
  const m = /"version":(\d{1,15})[,}]/.exec(head);
  if (m) return Number(m[1]);
  const v = (parse(body.toString("utf8"), "a stored file") as { version?: unknown }).version;
  return typeof v === "number" ? v : 0;
}

/** Puts `source` at `target` as the same file (a hard link), or a durable copy where links are not possible; atomically, durably. */
async function linkOrCopy(source: string, target: string): Promise<void> {
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}-${Date.now().toString(36)}.tmp`,
  );
  try {
    try {
      await fs.link(source, tmp);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw e;
      await fs.copyFile(source, tmp);
      const fh = await fs.open(tmp, "r");
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await fs.rename(tmp, target);
    await fsyncDir(path.dirname(target));
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw asWriteError(e);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
