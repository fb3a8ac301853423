import { type Checked, fail, validateGeometry } from "../geometry/validate.ts";
import type { TerritoryGeometry } from "../geometry/types.ts";
import { ID_PATTERN } from "../ids.ts";

/**
 * A sales rep assigned to a territory. An object rather than a bare name so
 * exports can carry a contact; documents written before the email existed
 * hold plain strings, which {@link validateTerritoryPatch} reads as `{ name }`.
 */
export interface Rep {
  /** The rep's name (or CRM id), 1–{@link LIMITS.rep} characters. */
  name: string;
  /** Optional contact, `someone@example.com`; absent rather than empty. */
  email?: string;
}

/** The editable, non-geometric fields of a territory. */
export interface TerritoryProps {
  name: string;
  /** Fill colour, `#rrggbb`. */
  color: string;
  /** The rep(s) assigned to the territory, in the order they were added. */
  reps: Rep[];
  /** Target per metric, e.g. `{ revenue: 1200000 }`; balance compares with it when set. */
  targets: Record<string, number>;
  /** Id of an optional parent region, or null. */
  parent: string | null;
}

export interface Territory extends TerritoryProps {
  id: string;
  geometry: TerritoryGeometry;
}

export const LIMITS = {
  name: 120,
  reps: 20,
  rep: 120,
  /** RFC 5321's longest forward path. */
  email: 254,
  targets: 50,
  targetKey: 64,
} as const;

export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/**
 * The shape of an email address, not its deliverability: something@domain.tld,
 * no spaces. Stricter checks refuse real addresses (RFC 5322 allows far more).
 */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/** A pleasant, distinguishable palette for new territories (ColorBrewer Set2/Dark2 family). */
export const PALETTE = [
  "#1b9e77",
  "#d95f02",
  "#7570b3",
  "#e7298a",
  "#66a61e",
  "#e6ab02",
  "#a6761d",
  "#1f78b4",
  "#b2df8a",
  "#fb9a99",
  "#cab2d6",
  "#ff7f00",
] as const;

export function paletteColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length] as string;
}

/** Checks a territory id. */
export function validateTerritoryId(input: unknown): Checked<string> {
  if (typeof input !== "string" || !ID_PATTERN.test(input)) {
    return fail("territory id must be 1–64 letters, digits, '-' or '_'");
  }
  return { ok: true, value: input };
}

/**
 * Validates a patch of territory properties (any subset). Unknown fields are
 * refused rather than ignored, so a typo in an API call is noticed.
 *
 * @example validateTerritoryPatch({ name: "Jakarta Utara" }) // ok
 */
export function validateTerritoryPatch(input: unknown): Checked<Partial<TerritoryProps>> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail("territory properties must be an object");
  }
  const out: Partial<TerritoryProps> = {};
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case "name": {
        if (typeof value !== "string") return fail("name must be text");
        const name = value.trim();
        if (name.length === 0) return fail("name must not be empty");
        if (name.length > LIMITS.name) return fail(`name is longer than ${LIMITS.name} characters`);
        out.name = name;
        break;
      }
      case "color":
        if (typeof value !== "string" || !COLOR_PATTERN.test(value)) {
          return fail("color must be a hex colour like #1b9e77");
        }
        out.color = value.toLowerCase();
        break;
      case "reps": {
        if (!Array.isArray(value)) return fail("reps must be a list of names");
        if (value.length > LIMITS.reps) return fail(`a territory can have at most ${LIMITS.reps} reps`);
        const reps: Rep[] = [];
        for (const entry of value) {
          const rep = validateRep(entry);
          if (!rep.ok) return rep;
          reps.push(rep.value);
        }
        out.reps = reps;
        break;
      }
      case "targets": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          return fail("targets must be an object of metric → number");
        }
        const entries = Object.entries(value);
        if (entries.length > LIMITS.targets) return fail(`at most ${LIMITS.targets} targets`);
        const targets: Record<string, number> = {};
        for (const [metric, target] of entries) {
          if (metric.length === 0 || metric.length > LIMITS.targetKey)
            return fail("target names must be 1–64 characters");
          if (typeof target !== "number" || !Number.isFinite(target) || target < 0) {
            return fail(`target for ${metric} must be a number ≥ 0`);
          }
          targets[metric] = target;
        }
        out.targets = targets;
        break;
      }
      case "parent":
        if (value !== null && (typeof value !== "string" || !ID_PATTERN.test(value))) {
          return fail("parent must be a region id or null");
        }
        out.parent = value;
        break;
      case "id":
        // Ids are addressed by the URL or generated; a matching one in the body is harmless.
        break;
      default:
        return fail(`unknown territory field "${key.slice(0, 40)}"`);
    }
  }
  return { ok: true, value: out };
}

/**
 * Checks one rep: `{ name, email? }`, or a plain name as documents written
 * before reps had an email hold it. Trims both; an empty email means none.
 *
 * @example validateRep("Budi") // { ok: true, value: { name: "Budi" } }
 * @example validateRep({ name: "Sari", email: "sari@example.co.id" }) // ok
 */
export function validateRep(input: unknown): Checked<Rep> {
  const nameError = `each rep must be a name of 1–${LIMITS.rep} characters`;
  if (typeof input === "string") {
    const name = input.trim();
    if (name.length === 0 || input.length > LIMITS.rep) return fail(nameError);
    return { ok: true, value: { name } };
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) return fail(nameError);
  const { name: rawName, email: rawEmail, ...rest } = input as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return fail(`unknown rep field "${extra.slice(0, 40)}" (a rep has a name and an email)`);
  if (typeof rawName !== "string") return fail(nameError);
  const name = rawName.trim();
  if (name.length === 0 || rawName.length > LIMITS.rep) return fail(nameError);
  if (rawEmail === undefined || rawEmail === null) return { ok: true, value: { name } };
  if (typeof rawEmail !== "string") return fail(`the email of ${name.slice(0, 40)} must be text`);
  const email = rawEmail.trim();
  if (email === "") return { ok: true, value: { name } };
  if (email.length > LIMITS.email || !EMAIL_PATTERN.test(email)) {
    return fail(`rep email "${email.slice(0, 60)}" must look like name@example.com`);
  }
  return { ok: true, value: { name, email } };
}

/**
 * Checks one territory field exactly as a client stored it in the document
 * (the socket path): valid by {@link validateTerritoryPatch} and already in
 * the form the REST path would store, so `"a" + 1 MB of spaces` is refused
 * rather than kept raw. Returns the sentence for a bad value, or null.
 *
 * @example checkStoredTerritoryField("name", " Bogor") // "name must not start or end with spaces"
 */
export function checkStoredTerritoryField(key: string, value: unknown): string | null {
  const r = validateTerritoryPatch({ [key]: value });
  if (!r.ok) return r.error;
  if (key === "name" && value !== r.value.name) return "name must not start or end with spaces";
  if (key === "reps") {
    const stored = value as unknown[];
    for (const [i, rep] of (r.value.reps ?? []).entries()) {
      const raw = stored[i];
      const name = typeof raw === "string" ? raw : (raw as Rep).name;
      const email = typeof raw === "string" ? undefined : (raw as Rep).email;
      if (name !== rep.name || (email !== undefined && email !== "" && email !== rep.email)) {
        return `rep "${rep.name.slice(0, 40)}" must not start or end with spaces`;
      }
    }
  }
  return null;
}

/** The reps' names, for labels and filters: "Budi, Sari". */
export function repNames(reps: readonly Rep[]): string {
  return reps.map((r) => r.name).join(", ");
}

/** Validates a whole new territory: geometry plus properties, filling defaults. */
export function validateNewTerritory(id: string, geometry: unknown, props: unknown, index = 0): Checked<Territory> {
  const checkedId = validateTerritoryId(id);
  if (!checkedId.ok) return checkedId;
  const g = validateGeometry(geometry);
  if (!g.ok) return g;
  const p = validateTerritoryPatch(props ?? {});
  if (!p.ok) return p;
  return {
    ok: true,
    value: {
      id,
      name: p.value.name ?? `Territory ${index + 1}`,
      color: p.value.color ?? paletteColor(index),
      reps: p.value.reps ?? [],
      targets: p.value.targets ?? {},
      parent: p.value.parent ?? null,
      geometry: g.value,
    },
  };
}
