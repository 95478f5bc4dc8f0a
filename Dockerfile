# syntax=docker/dockerfile:1
# One image recipe for every service. Build from the repository root, naming the service:
#   docker build --build-arg SERVICE=orders --build-arg PORT=3002 -t billing-orders .
# Pinned by version, like every image in docker-compose.yml (a moving tag would change what a rebuild runs).
ARG NODE_IMAGE=node:24.19.0-bookworm-slim

# Every workspace's package.json and nothing else: the install needs all of them beside the lockfile,
# and a stage whose output changes only with them keeps the npm layers cached while sources change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY libs libs
COPY services services
RUN for f in libs/*/package.json services/*/package.json; do \
      mkdir -p "/manifests/$(dirname "$f")" && cp "$f" "/manifests/$f"; \
    done

FROM ${NODE_IMAGE} AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo 'build with --build-arg SERVICE=<gateway|orders|licensing|notifications>' && exit 1)
ENV TURBO_TELEMETRY_DISABLED=1
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.base.json turbo.json ./
COPY libs libs
COPY services/${SERVICE} services/${SERVICE}
RUN npx turbo run build --filter=@billing/${SERVICE}...
# What the runtime image takes from here: dist/ (and templates or other assets) without sources.
RUN rm -rf libs/*/src libs/*/test libs/*/node_modules libs/*/tsconfig*.json \
      services/${SERVICE}/src services/${SERVICE}/test services/${SERVICE}/node_modules services/${SERVICE}/tsconfig*.json

# Production dependencies of this service only. npm makes every workspace a dependency of the root,
# so a workspace named in devDependencies (the test kit, with testcontainers) would still count as
# production; dropping the devDependencies blocks first, from the manifests and from their entries in
# the lockfile alike (so npm ci finds both in sync), leaves exactly the runtime closure, at the
# versions in the lockfile.
FROM ${NODE_IMAGE} AS prod-deps
ARG SERVICE
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /manifests/ ./
RUN node -e 'const fs = require("fs"); const edit = (f, change) => { const j = JSON.parse(fs.readFileSync(f, "utf8")); change(j); fs.writeFileSync(f, JSON.stringify(j, null, 2)); }; for (const f of process.argv.slice(1)) edit(f, (p) => delete p.devDependencies); edit("package-lock.json", (l) => { for (const [at, p] of Object.entries(l.packages)) if (!at.includes("node_modules/")) delete p.devDependencies; });' \
      package.json libs/*/package.json services/*/package.json
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --omit=dev --workspace @billing/${SERVICE}

FROM ${NODE_IMAGE}
ARG SERVICE
ARG PORT=3000
ENV NODE_ENV=production SERVICE_PORT=${PORT}
WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /app/libs libs
COPY --from=build /app/services/${SERVICE} services/${SERVICE}
WORKDIR /app/services/${SERVICE}
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.SERVICE_PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"]
CMD ["node", "dist/main.js"]
