import { configFromEnv } from "./config.ts";
import { startServer } from "./app.ts";

/** `npm start`: one process serving the client, the REST API and sync (and copies of the demo, GET /api/demo). */
const config = configFromEnv();
const server = await startServer(config);
console.log(`Wilayah is listening on http://localhost:${server.port} (data in ${config.dataDir})`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${signal}: saving plans and stopping…`);
    server.close().then(
      () => process.exit(0),
      (e: Error) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
}
