# NetLedger services in one image: `node /app/<entry>.mjs` with <entry> one of gateway, collector,
# ingestor, migrate (the Kubernetes manifests pass it as args). Compiled JavaScript only, no
# TypeScript loader, no node_modules (scripts/build.ts bundles the production dependencies).
# Builds with the legacy builder and BuildKit alike. Where no registry is reachable, build
# NODE_IMAGE locally with scripts/build-base-image.sh and pass it with --build-arg.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first, so the dependency layer is rebuilt only when one of them changes. Every
# workspace's package.json is needed for npm ci to accept the lockfile (deploy/test checks the list).
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/drivers/package.json packages/drivers/
COPY packages/platform/package.json packages/platform/
COPY services/collector/package.json services/collector/
COPY services/gateway/package.json services/gateway/
COPY services/ingestor/package.json services/ingestor/
COPY tools/dev-stack/package.json tools/dev-stack/
COPY tools/device-sim/package.json tools/device-sim/
COPY testkit/package.json testkit/
COPY bench/package.json bench/
COPY deploy/package.json deploy/
RUN npm ci --no-audit --no-fund --ignore-scripts --include-workspace-root \
      -w @netledger/gateway -w @netledger/collector -w @netledger/ingestor -w @netledger/db
COPY tsconfig.base.json ./
COPY scripts/build.ts scripts/
COPY packages packages
COPY services services
RUN npm run -s build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/dist/*.mjs /app/
# Any non-root uid works (the manifests set 10001 too); nothing is written to the root filesystem.
USER 10001:10001
# Exec form with node as PID 1: SIGTERM reaches the service, which drains and exits 0.
ENTRYPOINT ["node"]
CMD ["/app/gateway.mjs"]
