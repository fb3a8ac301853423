import type { Account } from "../../shared/scoring/accounts.ts";
import type { StoredAccounts } from "./store.ts";

/**
 * Accounts as the lowdb store writes them (`accounts.json`, and the copies
 * versions keep of earlier imports): rows as arrays (id, name, lon, lat,
 * then one value per metric), which keeps 100,000 accounts to a few
 * megabytes. The version comes first, so it can be read from the head of
 * the file without parsing the rest.
 */
export interface AccountsFile {
  version: number;
  importedAt: string;
  metrics: string[];
  /** id, name, lon, lat, then one value per metric: null where the account has none (a blank cell). */
  rows: [string, string, number, number, ...(number | null)[]][];
}

export function toAccountsFile(stored: StoredAccounts): AccountsFile {
  const metrics = [...new Set(stored.accounts.flatMap((a) => Object.keys(a.attrs)))].sort();
  return {
    version: stored.version,
    importedAt: stored.importedAt,
    metrics,
    rows: stored.accounts.map((a) => [a.id, a.name, a.lon, a.lat, ...metrics.map((m) => a.attrs[m] ?? null)]),
  };
}

export function fromAccountsFile(data: AccountsFile): StoredAccounts {
  const accounts: Account[] = data.rows.map(([id, name, lon, lat, ...values]) => {
    const attrs: Record<string, number> = {};
    data.metrics.forEach((m, i) => {
      const v = values[i];
      if (typeof v === "number") attrs[m] = v;
    });
    return { id, name, lon, lat, attrs };
  });
  return { version: data.version, importedAt: data.importedAt, accounts };
}

export function accountsFileProblem(v: unknown): string | null {
  const o = v as Partial<AccountsFile> | null;
  if (
    typeof o !== "object" ||
    o === null ||
    typeof o.version !== "number" ||
    !Array.isArray(o.metrics) ||
    !Array.isArray(o.rows)
  ) {
    return "it does not hold accounts (version, metrics and rows)";
  }
  return null;
}
