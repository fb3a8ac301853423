# syntax=docker/dockerfile:1
# Wilayah in two stages (issue 16): the build stage installs everything and
# runs `npm run build` (the client with vite, precompressed; the server and
# its workers bundled into dist-server/ with esbuild); the runtime stage has
# only the production dependencies and the build, runs as the unprivileged
# `node` user and runs no TypeScript.
#   docker build -t wilayah .
#   docker run -p 8080:8080 -v wilayah-data:/data wilayah

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/dist-server ./dist-server
# The data folder belongs to the user the server runs as; a named volume
# mounted there starts with this ownership.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# slim has no curl: node's own fetch asks the liveness endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the graceful shutdown (sockets closed with 1001, plans saved),
# which gives up after SHUTDOWN_TIMEOUT_MS (10 s): give `docker stop` longer (-t 15).
STOPSIGNAL SIGTERM
# node itself is PID 1 (not npm), so the signal reaches the server.
CMD ["node", "--enable-source-maps", "dist-server/index.mjs"]
