import type { MessageKey } from "../i18n/en.ts";
import type { VersionItem } from "./parse.ts";

/**
 * Words for versions (issue 14), pure: a checkpoint is named from its
 * `reason` in the reader's language (the server's name is English), the
 * one taken after a restore after the version it brought back (`nameOf`
 * finds it in the list), a named version by the name a person gave it.
 *
 * @example versionTitle({auto: true, reason: "accounts-import", name: "Before an accounts import", restoredFrom: null}, t) // "Sebelum impor akun" in Indonesian
 */
export function versionTitle(
  v: Pick<VersionItem, "auto" | "reason" | "name" | "restoredFrom">,
  tr: (key: MessageKey, params?: Record<string, string | number>) => string,
  nameOf: (id: string) => string | undefined = () => undefined,
): string {
  if (!v.auto || v.reason === null) return v.name;
  if (v.reason === "restored") {
    const name = v.restoredFrom ? nameOf(v.restoredFrom) : undefined;
    return name ? tr("history.reason.restored", { name }) : tr("history.reason.restored.unknown");
  }
  return tr(`history.reason.${v.reason}` as MessageKey);
}

/**
 * Which version a search for "the checkpoint before this import" finds:
 * the newest checkpoint taken for `reason` no later than the import's time
 * (the server takes it right before the import lands and records the feed
 * entry after, both by its own clock). Without a time, the newest one.
 *
 * @example checkpointBefore(list, "accounts-import", entry.at)?.id // "v-17"
 */
export function checkpointBefore(
  list: readonly VersionItem[],
  reason: NonNullable<VersionItem["reason"]>,
  at: string | null,
): VersionItem | null {
  const limit = at === null ? Number.POSITIVE_INFINITY : Date.parse(at);
  let best: VersionItem | null = null;
  for (const v of list) {
    if (!v.auto || v.reason !== reason || v.damaged) continue;
    const when = Date.parse(v.at);
    if (!Number.isFinite(when) || when > limit) continue;
    if (!best || when > Date.parse(best.at)) best = v;
  }
  return best;
}
