/**
 * Accounts for the benchmarks' plans: seeded synthetic accounts
 * (shared/scoring/synthetic.ts) imported through the accounts API, as a
 * user's CSV upload would be, so that scoring has real work to do.
 */
import type { Account } from "../../../shared/scoring/accounts.ts";
import { syntheticAccounts } from "../../../shared/scoring/synthetic.ts";
import { type CreatedPlan, postJson, type RunningServer } from "./servers.ts";

export interface BenchAccounts {
  count: number;
  /** [minLon, minLat, maxLon, maxLat] they are spread over (strictly inside). */
  bbox: [number, number, number, number];
  /** Towns 70 % of them cluster around (the rest are uniform). */
  towns: number;
  seed: number;
}

/** The accounts as the CSV a user would upload: `id,name,lat,lon,revenue`. */
export function accountsCsv(accounts: readonly Account[]): string {
  const lines = ["id,name,lat,lon,revenue"];
  for (const a of accounts) {
    lines.push(`${a.id},${a.name},${a.lat.toFixed(6)},${a.lon.toFixed(6)},${a.attrs.revenue ?? 0}`);
  }
  return `${lines.join("\n")}\n`;
}

export interface ImportedAccounts {
  count: number;
  bytes: number;
  /** Wall time of the POST, ms (parse, store with fdatasync, bump the document's accounts version). */
  ms: number;
}

/** Generates `opts.count` seeded accounts and imports them (replacing any) with one `POST /api/plans/:id/accounts`. */
export async function importAccounts(
  server: RunningServer,
  plan: CreatedPlan,
  opts: BenchAccounts,
): Promise<ImportedAccounts> {
  const accounts = syntheticAccounts({ count: opts.count, bbox: opts.bbox, towns: opts.towns, seed: opts.seed });
  const body = accountsCsv(accounts);
  const { status, text, ms } = await postJson(server, plan, "/accounts", body, "csv");
  if (status !== 201) throw new Error(`POST accounts: ${status} ${text.slice(0, 300)}`);
  const imported = (JSON.parse(text) as { imported?: number }).imported;
  if (imported !== accounts.length) throw new Error(`POST accounts imported ${imported} of ${accounts.length}`);
  return { count: accounts.length, bytes: Buffer.byteLength(body), ms };
}
