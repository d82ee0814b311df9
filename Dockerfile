# One image for the API, the worker and the one-shot migration job (docker-compose.yml picks the
# command). Built from the repository root: `docker build -t weft .`
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/domain/package.json packages/domain/
COPY packages/activities/package.json packages/activities/
COPY packages/workflows/package.json packages/workflows/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/console/package.json apps/console/
RUN npm ci --no-audit --no-fund
COPY . .
# The web console is built after the API: its typed client is generated from the API's OpenAPI document.
RUN DATABASE_URL=postgresql://unused@localhost/unused npx prisma generate && npx tsc -b tsconfig.build.json && npm run build -w @weft/console

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/main.js"]
