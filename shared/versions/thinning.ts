/** What the thinning needs to know of a version. */
export interface ThinnedVersion {
  id: string;
  /** ISO 8601. */
  at: string;
  /** An automatic checkpoint (true) or a version a person named (false: never thinned). */
  auto: boolean;
  /** Kept whatever its age (a damaged version is reported, never dropped). */
  pinned?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The thinning policy for automatic checkpoints (issue 14):
 *
 * - every checkpoint of the last 24 hours is kept;
 * - from 24 hours to 7 days old, the newest checkpoint of each hour (UTC);
 * - older than 7 days, the newest checkpoint of each day (UTC);
 * - named versions are never thinned.
 *
 * So a year of daily two-hour sessions with a checkpoint every five minutes
 * keeps about 350 versions, not 6,000 (tests/bench/versions.ts).
 */
export const THINNING = { keepAllMs: DAY, hourlyMs: 7 * DAY } as const;

/**
 * The checkpoints the policy drops at `now`: within each hour (or day)
 * bucket past the first day, all but the newest.
 *
 * @example thin(versions, Date.now()) // ["v-3kx…", …]
 */
export function thin(versions: readonly ThinnedVersion[], now: number): string[] {
  const newest = new Map<string, { id: string; t: number }>();
  const candidates: { id: string; bucket: string }[] = [];
  for (const v of versions) {
    if (!v.auto || v.pinned) continue;
    const t = Date.parse(v.at);
    if (!Number.isFinite(t)) continue;
    const age = now - t;
    if (age < THINNING.keepAllMs) continue;
    const bucket = age < THINNING.hourlyMs ? `h${Math.floor(t / HOUR)}` : `d${Math.floor(t / DAY)}`;
    candidates.push({ id: v.id, bucket });
    const best = newest.get(bucket);
    if (!best || t > best.t || (t === best.t && v.id > best.id)) newest.set(bucket, { id: v.id, t });
  }
  return candidates.filter((c) => newest.get(c.bucket)?.id !== c.id).map((c) => c.id);
}
