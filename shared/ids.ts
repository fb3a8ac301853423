/** Ids of plans and territories: URL-safe, 1–64 characters. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * A random id of `length` characters (62 symbols each: 16 chars ≈ 95 bits).
 * Uses getRandomValues, which browsers offer on plain http too (randomUUID
 * is limited to secure contexts).
 */
export function newId(length = 16): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = "";
  // 248 = 4 × 62: rejecting bytes above it keeps every symbol equally likely.
  for (let i = 0; out.length < length; i++) {
    if (i >= bytes.length) {
      globalThis.crypto.getRandomValues(bytes);
      i = 0;
    }
    const b = bytes[i] as number;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}
