import { configFromEnv } from "./config.ts";
import { startServer } from "./app.ts";
import { log } from "./ops/log.ts";

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

/** `npm start`: one process serving the client, the REST API and sync (and copies of the demo, GET /api/demo). */
const config = configFromEnv();
const server = await startServer(config);
log.info(
  { component: "server", port: server.port, dataDir: config.dataDir },
  `Wilayah is listening on http://localhost:${server.port} (data in ${config.dataDir})`,
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ component: "server", signal }, "saving plans and stopping");
    server.close().then(
      () => process.exit(0),
      (e: Error) => {
        log.fatal({ component: "server", err: e }, "stopping failed");
        process.exit(1);
      },
    );
  });
}
