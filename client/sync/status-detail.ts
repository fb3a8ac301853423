import { t } from "../i18n/i18n.svelte.ts";
import type { ConnectionStatus } from "./provider.ts";

/** Statuses with a sentence of their own: what happens to the person's edits meanwhile. */
const DETAILED = ["offline", "unreachable", "reconnecting"] as const;

/** The sentence that explains a connection that is down ("" for the other statuses). */
export function statusDetail(status: ConnectionStatus): string {
  const detailed = DETAILED.find((s) => s === status);
  return detailed ? t(`status.${detailed}.detail`) : "";
}
