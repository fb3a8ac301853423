import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DamagedFileError } from "./fs-errors.ts";
import { UpdateLog } from "./update-log.ts";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "wilayah-update-log-"));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Payload number `i`: distinct, of varying length (1–300 bytes), never empty. */
function payload(i: number): Uint8Array {
  const bytes = new Uint8Array(1 + ((i * 37) % 300));
  for (let j = 0; j < bytes.length; j++) bytes[j] = (i * 31 + j) & 0xff;
  return bytes;
}

/** Bytes a record of `p` takes on disk: u32 length, u32 CRC, payload. */
const recordSize = (p: Uint8Array) => 8 + p.length;

/** Appends one at a time, so that each payload is a record of its own (recordSize bytes). */
async function writeLog(file: string, payloads: Uint8Array[]): Promise<void> {
  const log = new UpdateLog(file);
  for (const p of payloads) await log.append(p);
  await log.close();
}

describe("UpdateLog", () => {
  it("reads nothing from a file that does not exist", async () => {
    expect(await UpdateLog.read(path.join(dir, "none.log"))).toEqual({
      records: [],
      metas: [],
      size: 0,
      droppedBytes: 0,
    });
  });

  it("returns all of many concurrent appends, in the order they were made", async () => {
    const file = path.join(dir, "a.log");
    const log = new UpdateLog(file);
    const payloads = Array.from({ length: 500 }, (_, i) => payload(i));
    const acks = payloads.map((p) => log.append(p));
    await Promise.all(acks);
    await log.close();
    const { records, size, droppedBytes } = await UpdateLog.read(file);
    expect(records).toEqual(payloads);
    // Group commit packs the updates that queued up into one record, so the file is smaller than 500 records.
    expect(size).toBe((await fs.stat(file)).size);
    expect(size).toBeLessThan(payloads.reduce((n, p) => n + recordSize(p), 0));
    expect(log.size).toBe(size);
    expect(droppedBytes).toBe(0);
  });

  it("counts queued bytes in `size` at once, from the size it was opened with", async () => {
    const file = path.join(dir, "a.log");
    const log = new UpdateLog(file, 1000);
    const pending = log.append(payload(1));
    expect(log.size).toBe(1000 + recordSize(payload(1)));
    await pending;
    await log.close();
  });

  it("resolves an append only once it is on disk", async () => {
    const file = path.join(dir, "a.log");
    const log = new UpdateLog(file);
    await log.append(payload(7));
    // No close, no drain: the acknowledgement alone must mean the bytes are in the file.
    expect((await UpdateLog.read(file)).records).toEqual([payload(7)]);
    await log.close();
  });

  it("commits a burst of 100 concurrent appends with far fewer than 100 fdatasyncs", async () => {
    const file = path.join(dir, "a.log");
    let datasyncs = 0;
    let writes = 0;
    const realOpen = fs.open;
    vi.spyOn(fs, "open").mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      const realDatasync = handle.datasync.bind(handle);
      const realWrite = handle.write.bind(handle) as (...a: unknown[]) => Promise<unknown>;
      handle.datasync = async () => {
        datasyncs++;
        return realDatasync();
      };
      (handle as unknown as { write: (...a: unknown[]) => Promise<unknown> }).write = async (...a: unknown[]) => {
        writes++;
        return realWrite(...a);
      };
      return handle;
    });
    const log = new UpdateLog(file);
    const payloads = Array.from({ length: 100 }, (_, i) => payload(i));
    const settled: number[] = [];
    await Promise.all(payloads.map((p, i) => log.append(p).then(() => settled.push(i))));
    await log.close();
    // The first append starts a flush on its own; the other 99 queue behind it and share the next one.
    expect(datasyncs).toBeGreaterThanOrEqual(1);
    expect(datasyncs).toBeLessThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(2);
    // Acknowledged in order.
    expect(settled).toEqual(payloads.map((_, i) => i));
    vi.restoreAllMocks();
    expect((await UpdateLog.read(file)).records).toEqual(payloads);
  });

  it("appends after the records already in the file", async () => {
    const file = path.join(dir, "a.log");
    await writeLog(file, [payload(1), payload(2)]);
    const { size } = await UpdateLog.read(file);
    await writeLog(file, [payload(3)]);
    expect((await UpdateLog.read(file)).records).toEqual([payload(1), payload(2), payload(3)]);
    expect(size).toBe(recordSize(payload(1)) + recordSize(payload(2)));
  });

  describe("a torn tail (the last write, cut short by a crash)", () => {
    const three = [payload(1), payload(2), payload(3)];
    const goodSize = recordSize(payload(1)) + recordSize(payload(2));
    const fullSize = goodSize + recordSize(payload(3));

    async function expectCutTo(file: string, droppedBytes: number): Promise<void> {
      const before = await fs.readFile(file);
      const r = await UpdateLog.read(file);
      expect(r.records).toEqual([payload(1), payload(2)]);
      expect(r.size).toBe(goodSize);
      expect(r.droppedBytes).toBe(droppedBytes);
      expect(r.torn).toBeTruthy();
      // Reading writes nothing (a plan on a read-only disk can still be read)...
      expect(await fs.readFile(file)).toEqual(before);
      // ...the first append cuts the file back to the last good record and follows it.
      const log = new UpdateLog(file, r.size, true);
      await log.append(payload(4));
      await log.close();
      expect((await fs.stat(file)).size).toBe(goodSize + recordSize(payload(4)));
      expect((await UpdateLog.read(file)).records).toEqual([payload(1), payload(2), payload(4)]);
    }

    it("drops a last record cut short by a few bytes", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, three);
      await fs.truncate(file, fullSize - 3);
      await expectCutTo(file, recordSize(payload(3)) - 3);
    });

    it("drops a last record whose header itself is cut short", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, three);
      await fs.truncate(file, goodSize + 5);
      await expectCutTo(file, 5);
    });

    it("drops a last record whose length runs past the end of the file (garbage after the last record)", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, [payload(1), payload(2)]);
      const garbage = Buffer.from("this is not a record at all, it is garbage", "utf8");
      await fs.appendFile(file, garbage);
      await expectCutTo(file, garbage.length);
    });

    it("drops a header announcing more bytes than the file has", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, [payload(1), payload(2)]);
      const header = Buffer.alloc(12);
      header.writeUInt32LE(0xfffffff0, 0);
      await fs.appendFile(file, header);
      await expectCutTo(file, 12);
    });

    it("drops a zero-filled tail (a crash can extend a file before its data lands)", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, [payload(1), payload(2)]);
      await fs.appendFile(file, Buffer.alloc(4096));
      await expectCutTo(file, 4096);
    });

    it("drops a last record whose payload did not land (zeros where its bytes should be)", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, three);
      const buf = await fs.readFile(file);
      buf.fill(0, goodSize + 8);
      await fs.writeFile(file, buf);
      await expectCutTo(file, recordSize(payload(3)));
    });

    it("drops a whole group commit torn in its middle, never half of one", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, [payload(1), payload(2)]);
      // A burst: the first append flushes alone, the other 20 queue behind it and become one record.
      const burst = Array.from({ length: 21 }, (_, i) => payload(100 + i));
      const log = new UpdateLog(file, goodSize);
      await Promise.all(burst.map((p) => log.append(p)));
      await log.close();
      expect((await UpdateLog.read(file)).records).toEqual([payload(1), payload(2), ...burst]);
      const batchStart = goodSize + recordSize(burst[0] as Uint8Array);
      // The batch record lands only halfway: none of its 20 updates may come back.
      const size = (await fs.stat(file)).size;
      await fs.truncate(file, batchStart + Math.floor((size - batchStart) / 2));
      const r = await UpdateLog.read(file);
      expect(r.records).toEqual([payload(1), payload(2), burst[0]]);
      expect(r.size).toBe(batchStart);
    });
  });

  it("refuses, rather than searches for seconds, a torn record whose bytes look like thousands of records", async () => {
    const file = path.join(dir, "a.log");
    // 2 MB of small little-endian numbers: every 4 bytes a plausible record length.
    const big = new Uint8Array(2 * 1024 * 1024);
    const view = new DataView(big.buffer);
    for (let i = 0; i + 4 <= big.length; i += 4) view.setUint32(i, 1 + (i % 4093), true);
    await writeLog(file, [payload(1), big]);
    await fs.truncate(file, recordSize(payload(1)) + 8 + big.length / 2);
    await expect(UpdateLog.read(file)).rejects.toThrow(/too many things that look like records/);
  });

  describe("damage (never cut, never read as the end of the log)", () => {
    const five = [payload(1), payload(2), payload(3), payload(4), payload(5)];
    const offsetOf = (i: number) => five.slice(0, i).reduce((n, p) => n + recordSize(p), 0);

    async function expectDamage(file: string, message: RegExp): Promise<void> {
      const before = await fs.readFile(file);
      const error = await UpdateLog.read(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DamagedFileError);
      expect((error as DamagedFileError).file).toBe(file);
      expect((error as DamagedFileError).damage).toMatch(message);
      expect(await fs.readFile(file)).toEqual(before);
    }

    it("refuses a flipped byte in the first of 100 records instead of returning none of them", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(
        file,
        Array.from({ length: 100 }, (_, i) => payload(i)),
      );
      const buf = await fs.readFile(file);
      buf[8 + 0] = (buf[8 + 0] as number) ^ 0x01;
      await fs.writeFile(file, buf);
      await expectDamage(file, /^record 1 \(at byte 0\) fails its checksum, and intact records follow it/);
    });

    it("refuses a bad checksum in the middle", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, five);
      const buf = await fs.readFile(file);
      buf[offsetOf(2) + 8 + 1] = (buf[offsetOf(2) + 8 + 1] as number) ^ 0x40;
      await fs.writeFile(file, buf);
      await expectDamage(file, /^record 3 \(at byte \d+\) fails its checksum, and intact records follow it/);
    });

    it("refuses a length corrupted in the middle, shorter or running past the end of the file", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, five);
      const good = await fs.readFile(file);
      const shorter = Buffer.from(good);
      shorter.writeUInt32LE((payload(3).length - 1) >>> 0, offsetOf(2));
      await fs.writeFile(file, shorter);
      await expectDamage(file, /^record 3 .*intact records follow it/);
      const longer = Buffer.from(good);
      longer.writeUInt32LE(0x7ffffff0, offsetOf(2));
      await fs.writeFile(file, longer);
      await expectDamage(file, /^record 3 .*runs past the end of the file, and intact records follow it/);
    });

    it("refuses a zeroed sector in the middle (records after it)", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, five);
      const buf = await fs.readFile(file);
      buf.fill(0, offsetOf(1), offsetOf(2));
      await fs.writeFile(file, buf);
      await expectDamage(file, /^record 2 .*has a length of 0, and intact records follow it/);
    });

    it("refuses a bad record followed by one intact record and a torn write", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, five);
      const buf = await fs.readFile(file);
      buf[offsetOf(3) + 8] = (buf[offsetOf(3) + 8] as number) ^ 0x01;
      await fs.writeFile(file, Buffer.concat([buf, Buffer.from([0xff, 0xff, 0, 0, 1, 2, 3, 4, 5])]));
      // (The intact record is not named, since a torn write follows it; damage all the same.)
      await expectDamage(file, /^record 4 .*fails its checksum/);
    });

    it("refuses a last record whose length field is damaged though its payload is whole", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, five);
      const buf = await fs.readFile(file);
      buf.writeUInt32LE(payload(5).length + 1000, offsetOf(4));
      await fs.writeFile(file, buf);
      await expectDamage(file, /^record 5 .* is whole, but its length field is damaged/);
    });

    it("refuses a bad last record followed by bytes that are not a record (a crash cannot write past its last write)", async () => {
      const file = path.join(dir, "a.log");
      await writeLog(file, five);
      const buf = await fs.readFile(file);
      buf.writeUInt32LE(payload(5).length - 3, offsetOf(4));
      await fs.writeFile(file, buf);
      await expectDamage(file, /^record 5 .* fails its checksum, and 3 bytes that are not a record follow it/);
    });
  });

  it("refuses an empty payload, which could not be told from a zero-filled tail, and carries on", async () => {
    const file = path.join(dir, "a.log");
    const log = new UpdateLog(file);
    await expect(log.append(new Uint8Array())).rejects.toThrow("an update log record cannot be empty");
    expect(log.size).toBe(0);
    await log.append(payload(1));
    await log.close();
    expect((await UpdateLog.read(file)).records).toEqual([payload(1)]);
  });

  it("rejects every append once the disk has failed, the failed one included", async () => {
    // A directory where the log file should be: open() fails.
    const file = path.join(dir, "is-a-dir.log");
    await fs.mkdir(file);
    const log = new UpdateLog(file);
    const first = log.append(payload(1));
    const second = log.append(payload(2));
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
    await expect(log.append(payload(3))).rejects.toThrow();
    await log.close();
  });
});

describe("UpdateLog metas (issue 14: each update's time and author)", () => {
  const by = { id: "p-ana", name: "Ana", role: "edit" as const };

  it("keeps each update's time and author, in single and batch records alike", async () => {
    const file = path.join(dir, "meta.log");
    const log = new UpdateLog(file);
    await log.append(payload(1), { at: 1000, by });
    // Appended together: one batch record mixing updates with and without a meta.
    await Promise.all([
      log.append(payload(2), { at: 2000, by: null }),
      log.append(payload(3)),
      log.append(payload(4), { at: 4000, by }),
    ]);
    await log.close();
    const read = await UpdateLog.read(file);
    expect(read.records).toEqual([payload(1), payload(2), payload(3), payload(4)]);
    expect(read.metas).toEqual([{ at: 1000, by }, { at: 2000, by: null }, null, { at: 4000, by }]);
    expect(read.size).toBe((await fs.stat(file)).size);
  });

  it("reads a log written before metas as updates without one", async () => {
    const file = path.join(dir, "old.log");
    await writeLog(file, [payload(5), payload(6)]);
    const read = await UpdateLog.read(file);
    expect(read.records).toEqual([payload(5), payload(6)]);
    expect(read.metas).toEqual([null, null]);
  });

  it("cuts a torn last record that carries a meta like any other", async () => {
    const file = path.join(dir, "torn.log");
    const log = new UpdateLog(file);
    await log.append(payload(7), { at: 7, by });
    await log.append(payload(8), { at: 8, by });
    await log.close();
    const whole = await fs.readFile(file);
    await fs.writeFile(file, whole.subarray(0, whole.length - 3));
    const read = await UpdateLog.read(file);
    expect(read.records).toEqual([payload(7)]);
    expect(read.metas).toEqual([{ at: 7, by }]);
    expect(read.droppedBytes).toBeGreaterThan(0);
  });
});
