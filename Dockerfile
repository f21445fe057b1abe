# Container image for zonexfer: a build stage compiles TypeScript and prunes dev dependencies; the
# runtime stage runs `node dist/cli/main.js serve` as the non-root `node` user, bound to port 53
# through a file capability on the node binary (no root at run time). State lives in /data.
# Note: a node binary with file capabilities runs in secure mode and ignores NODE_OPTIONS.

FROM node:24-bookworm-slim AS build
# Compilers for the native UDP module (native/udp-batch: recvmmsg/sendmmsg batches); build stage only.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first so the layer is cached across source changes (no dependency has install
# scripts; --ignore-scripts also skips our own `install` and `prepare`, run explicitly below).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY native ./native
COPY scripts ./scripts
RUN node scripts/build-native.mjs \
 && test -f native/udp-batch/build/Release/udp_batch.node
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    ZONEXFER_DNS=0.0.0.0:53,[::]:53 \
    ZONEXFER_API=0.0.0.0:8080 \
    ZONEXFER_DATA=/data
# setcap lets the unprivileged `node` user bind port 53; libcap2-bin is removed again afterwards.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v node)")" \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown node:node /data
WORKDIR /app
# Application files stay owned by root: the runtime user can read them but not change them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/native/udp-batch/build/Release/udp_batch.node ./native/udp-batch/build/Release/udp_batch.node
USER node
VOLUME /data
EXPOSE 53/udp 53/tcp 8080
# Probes the API's /health route on the default port (adjust if you move --api/ZONEXFER_API).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
