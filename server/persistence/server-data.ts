import type { ServerData, ServerDataWrite } from "./store.ts";

/**
 * Server data after a write, as every store applies it (see ServerDataWrite):
 * a person key only when none is stored; demo copies merged entry by entry.
 *
 * @example mergeServerData("demo-copies", {copies: {a: e1}}, {copies: {b: e2, a: null}}) // {copies: {b: e2}}
 */
export function mergeServerData<K extends keyof ServerData>(
  kind: K,
  current: ServerData[K] | null,
  write: ServerDataWrite[K],
): ServerData[K] {
  if (kind === "person-key") return (current ?? write) as ServerData[K];
  const copies = { ...((current as ServerData["demo-copies"] | null)?.copies ?? {}) };
  for (const [id, entry] of Object.entries((write as ServerDataWrite["demo-copies"]).copies)) {
    const had = copies[id];
    if (entry === null) delete copies[id];
    else if (!had || entry.lastUsedAt >= had.lastUsedAt) copies[id] = entry;
  }
  return { copies } as ServerData[K];
}
