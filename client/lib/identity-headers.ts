/**
 * Who makes a REST call, as headers (X-Wilayah-Person, its secret, the
 * name). lib/ knows nothing of the person: main.ts hands in where they come
 * from (state/identity.svelte.ts), so api.ts and upload.ts stay free of the
 * app's state. Until then, and in tests, calls go out anonymous.
 */

let source: () => Record<string, string> = () => ({});

/** Sets where the identity headers of every request come from (called once, at start). */
export function setIdentityHeaders(fn: () => Record<string, string>): void {
  source = fn;
}

/** The identity headers for the request being made now. */
export function identityHeaders(): Record<string, string> {
  return source();
}
