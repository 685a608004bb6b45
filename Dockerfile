# syntax=docker/dockerfile:1
# One image for every service of the backbone; the first argument picks it
# (deploy/docker/entrypoint.sh): gateway, enrich, sink, query, migrate, backbone.
#   docker build -t backbone .
#   docker run --rm backbone migrate --print

# Dependencies, from the lockfile only: this layer changes when they do, not with the code.
FROM node:20.19-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY runtime/package.json runtime/
COPY schemas/package.json schemas/
COPY warehouse/package.json warehouse/
COPY ingest-gateway/package.json ingest-gateway/
COPY stream-workers/package.json stream-workers/
COPY query-service/package.json query-service/
COPY dashboard/package.json dashboard/
COPY deploy/package.json deploy/
COPY test/package.json test/
# Fixes to dependencies (patches/README.md), applied as `npm ci` applies them outside Docker.
COPY patches patches
RUN npm ci --no-audit --no-fund --ignore-scripts && npx patch-package --error-on-fail

# The dashboard's bundle (Vite), served by the query service.
FROM deps AS build
COPY . .
RUN npm run build -w dashboard

# What runs: the services' workspaces and their production dependencies (tsx among them),
# without the local stack's engines, the test tools or the dashboard's build chain.
FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches patches
COPY --from=build /app/runtime runtime
COPY --from=build /app/schemas schemas
COPY --from=build /app/warehouse warehouse
COPY --from=build /app/ingest-gateway ingest-gateway
COPY --from=build /app/stream-workers stream-workers
COPY --from=build /app/query-service query-service
COPY --from=build /app/dashboard/package.json dashboard/package.json
COPY --from=build /app/dashboard/dist dashboard/dist
COPY --from=build /app/deploy/docker/entrypoint.sh deploy/docker/entrypoint.sh
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev --include-workspace-root \
      -w runtime -w schemas -w warehouse -w ingest-gateway -w stream-workers -w query-service \
  && npx patch-package --error-on-fail \
  && npm cache clean --force
# The image's own unprivileged user (uid 1000); nothing under /app is writable by it.
USER node
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["gateway"]
