# One image for web, workers and migrations (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
ENV NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/web/package.json apps/web/
COPY apps/workers/package.json apps/workers/
COPY packages/db/package.json packages/db/
COPY packages/mcp/package.json packages/mcp/
COPY packages/orchestrator/package.json packages/orchestrator/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run db:generate && npx turbo run build
ENV NODE_ENV=production
