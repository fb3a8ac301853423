import { ConfigError, configFromEnv, type ServerConfig } from "./config.ts";
import { startServer, type WilayahServer } from "./app.ts";
import { flushLogSync, log } from "./ops/log.ts";

// Every line on stdout and stderr is one JSON object (issue 16), Node's own
// warnings and a crash included: Node prints them as prose otherwise.
process.removeAllListeners("warning");
process.on("warning", (w) => log.warn({ component: "node", err: w }, w.message));
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (e: unknown) => {
    log.fatal({ component: "process", err: e }, `${event}; exiting`);
    process.exit(1);
  });
}

/**
 * `npm start`: one process serving the client, the REST API and sync (and
 * copies of the demo, GET /api/demo). A configuration or start problem is
 * said in a sentence (no stack trace) and exits 1.
 */
function fail(message: string): never {
  log.fatal({ component: "server" }, `Wilayah cannot start. ${message}`);
  flushLogSync();
  process.exit(1);
}

let config: ServerConfig;
try {
  config = configFromEnv();
} catch (e) {
  if (e instanceof ConfigError) fail(e.message);
  throw e;
}

let server: WilayahServer;
try {
  server = await startServer(config);
} catch (e) {
  // A port in use, a data folder that cannot be written, an unreadable key: the operator's to fix.
  const err = e as NodeJS.ErrnoException;
  if (err.code || err.syscall) fail(err.message);
  throw e;
}
log.info(
  { component: "server", port: server.port, dataDir: config.databaseUrl ? null : config.dataDir },
  `Wilayah is listening on http://localhost:${server.port} (data in ${config.databaseUrl ? "PostgreSQL" : config.dataDir})`,
);

/**
 * Graceful shutdown: stop taking connections, close sockets with 1001 (so
 * clients reconnect, to another instance behind a load balancer), save and
 * close every plan, exit 0; past SHUTDOWN_TIMEOUT_MS, exit 1 saying so. A
 * second signal exits 1 at once. Several instances (issue 16) will pass
 * `handOver` to `server.close` here.
 */
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) {
      log.fatal({ component: "server", signal }, `${signal} again: exiting without waiting for plans to be saved.`);
      flushLogSync();
      process.exit(1);
    }
    stopping = true;
    log.info(
      { component: "server", signal },
      `${signal}: saving plans and stopping (at most ${config.shutdownTimeoutMs} ms)`,
    );
    const deadline = setTimeout(() => {
      log.fatal(
        { component: "server" },
        `Stopping took longer than SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms): exiting; edits already acknowledged are in the update log and load on the next start.`,
      );
      flushLogSync();
      process.exit(1);
    }, config.shutdownTimeoutMs);
    server.close().then(
      () => {
        clearTimeout(deadline);
        log.info({ component: "server" }, "Stopped.");
        flushLogSync();
        process.exit(0);
      },
      (e: Error) => {
        log.fatal({ component: "server", err: e }, "stopping failed");
        process.exit(1);
      },
    );
  });
}
