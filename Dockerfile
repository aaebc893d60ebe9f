# Reference image for the scaled deployment (docker-compose.yml). One image, two commands:
# the web server (default) and the worker (`node apps/worker/dist/main.js`), both compiled at build
# time (no TypeScript loader at run time).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY apps/web/package.json apps/web/
COPY apps/worker/package.json apps/worker/
COPY apps/widget/package.json apps/widget/
COPY packages/api/package.json packages/api/
COPY packages/contracts/package.json packages/contracts/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/simulator/package.json packages/simulator/
COPY tests/e2e/package.json tests/e2e/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/ensure-web-build.mjs --force
ENV NODE_ENV=production
# A container is reached through its network interface, never through loopback.
ENV HOST=0.0.0.0
EXPOSE 3000
CMD ["node", "apps/web/dist/server.js"]
