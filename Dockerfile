# Keyhouse: a Slack app for self-serve ClickHouse Cloud API keys.
# Build:  docker build -t keyhouse .
# Run:    docker run --env-file .env -v keyhouse-data:/var/lib/keyhouse \
#           -v "$PWD/policy.yml:/etc/keyhouse/policy.yml:ro" -p 3000:3000 keyhouse

# --- build: compile TypeScript and the better-sqlite3 addon ---------------------------------
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: production dependencies and compiled JavaScript only, as a non-root user -----
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/var/lib/keyhouse/keyhouse.db \
    KEYHOUSE_POLICY=/etc/keyhouse/policy.yml
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
RUN mkdir -p /var/lib/keyhouse /etc/keyhouse && chown node:node /var/lib/keyhouse
USER node
VOLUME ["/var/lib/keyhouse"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node directly (not npm) so SIGTERM reaches Keyhouse and its graceful shutdown runs. The V8 heap
# flags are npm start's (test/main.test.ts keeps the two equal; BENCHMARKS.md says what they cost).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=2", "--heap-growing-percent=50", "dist/src/main.js"]
