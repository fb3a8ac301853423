// Worker threads do not inherit tsx's loader from the main thread, so the
// balance worker registers it itself before loading its TypeScript.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
