import { type DestinationStream, type Logger, pino } from "pino";

/** The levels LOG_LEVEL may name (pino's, and `silent`). */
const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * The server's one logger (issue 16): every line on stdout is one JSON
 * object (`{"level":30,"time":…,"component":"store","planId":…,"msg":…}`),
 * written asynchronously by pino's default destination so logging never
 * holds up the event loop. `LOG_LEVEL` picks the level (`info` by default;
 * `silent` for none); server/README.md lists the fields.
 *
 * Share-link tokens are never written: fields that carry a secret are
 * censored by name, and as a last line of defence every line is scrubbed of
 * `token=…` and `secret=…` URL parameters before it is written, wherever in
 * the line they are (an error message quoting a URL, say).
 */
export const log: Logger = createLogger(logLevel(process.env.LOG_LEVEL));

/** LOG_LEVEL, checked: pino's own error for a wrong one does not name the variable. */
export function logLevel(value: string | undefined): string {
  if (!value) return "info";
  const level = value.trim().toLowerCase();
  if (!LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(", ")}; got "${value}"`);
  return level;
}

/** A logger with the server's settings, writing to `destination` (stdout when absent; tests pass their own). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "token",
          "secret",
          "authorization",
          "headers.authorization",
          "headers.cookie",
          "req.headers.authorization",
          "req.headers.cookie",
        ],
        censor: "[redacted]",
      },
      hooks: { streamWrite: redactSecrets },
    },
    destination,
  );
}

/**
 * Writes out what the logger holds, now: before a SIGKILL the process sends
 * itself (a crash point), which no exit handler outlives. Never throws.
 */
export function flushLogSync(): void {
  const stream = (log as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[pino.symbols.streamSym];
  try {
    stream?.flushSync?.();
  } catch {
    // Nothing written yet, or the descriptor is gone: nothing to keep.
  }
}

/** A child logger for one part of the server: its lines carry `component`. */
export function logger(component: string, fields: Record<string, unknown> = {}): Logger {
  return log.child({ component, ...fields });
}

/** URL parameters whose values are credentials: share-link tokens and person secrets. */
const SECRET_PARAM = /([?&;]|%3[fF]|%26)(token|secret)(=|%3[dD])[^&\s"'\\#]*/g;

/**
 * Replaces the values of `token=` and `secret=` URL parameters in any text
 * (a URL, an error message, a whole log line) with `[redacted]`.
 *
 * @example redactSecrets("/sync/p1?token=abc&x=1") // "/sync/p1?token=[redacted]&x=1"
 */
export function redactSecrets(text: string): string {
  if (!text.includes("token") && !text.includes("secret")) return text;
  return text.replace(SECRET_PARAM, "$1$2$3[redacted]");
}

/**
 * What of a request's URL may be logged: its path, without the query
 * (which may carry a token, a person's secret or their name).
 */
export function loggablePath(rawUrl: string | undefined): string {
  const url = rawUrl ?? "/";
  const q = url.search(/[?#]/);
  return redactSecrets(q === -1 ? url : url.slice(0, q)).slice(0, 512);
}

/** The plan a path names (`/api/plans/<id>…`, `/sync/<id>…`, the page `/plan/<id>`), for the `planId` field; null when none. */
export function planIdOfPath(path: string): string | null {
  const m = /^\/(?:api\/plans|sync|plan)\/([A-Za-z0-9_-]{1,64})(?:[/?]|$)/.exec(path);
  return m ? (m[1] as string) : null;
}
