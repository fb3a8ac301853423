import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// The client lives in client/; the server serves the built files from dist/.
export default defineConfig({
  root: "client",
  plugins: [svelte()],
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2048,
  },
  server: {
    proxy: {
      "/api": "http://localhost:8080",
      "/sync": { target: "ws://localhost:8080", ws: true },
    },
  },
});
