# syntax=docker/dockerfile:1
# rostergate: the gateway, compiled, on Node 20, run as a non-root user.
# Build: docker build -t rostergate .   Run: docker run -p 4000:4000 rostergate

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/sandbox/package.json packages/sandbox/
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY packages/sandbox packages/sandbox
COPY src src
COPY console console
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ROSTERGATE_HOST=0.0.0.0 \
    ROSTERGATE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/sandbox/package.json packages/sandbox/package.json
COPY --from=build /app/packages/sandbox/dist packages/sandbox/dist
COPY --from=build /app/dist dist
COPY bin bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD node -e "fetch('http://127.0.0.1:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js", "serve"]
