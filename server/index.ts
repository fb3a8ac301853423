import { configFromEnv } from "./config.ts";
import { startServer } from "./app.ts";
import { seedDemoPlan } from "./demo/seed.ts";

/** `npm start`: one process serving the client, the REST API and sync. */
const config = configFromEnv();
const server = await startServer(config);
// A demo plan that cannot be read (refused for damage, say) must not keep the server from serving every other plan.
if (config.seedDemo) {
  await seedDemoPlan(server.store, server.rooms).catch((e: Error) =>
    console.error(`[demo] the demo plan could not be checked or created: ${e.message}`),
  );
}
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
