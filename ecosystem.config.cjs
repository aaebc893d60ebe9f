// PM2 reference for a single VM in scaled mode: two web processes (put nginx with ip_hash in front,
// see deploy/nginx.conf) and two workers, sharing PostgreSQL and Redis. Build once first (the
// dashboard and the compiled server and worker):
//   npm ci && npm run build && pm2 start ecosystem.config.cjs
const shared = {
  NODE_ENV: "production",
  HOST: "0.0.0.0",
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
  APP_URL: process.env.APP_URL,
  AUTH_SECRET: process.env.AUTH_SECRET,
  ENCRYPTION_KEY: process.env.ENCRYPTION_KEY,
  // nginx on this machine proxies to 127.0.0.1: believe its X-Forwarded-For (deploy/nginx.conf).
  TRUST_PROXY: process.env.TRUST_PROXY ?? "loopback",
};

// Each process exits within 25 s of SIGINT/SIGTERM whatever happens; PM2 kills it at 30 s.
const KILL_TIMEOUT_MS = 30000;

module.exports = {
  apps: [
    {
      name: "tandem-web-1",
      script: "apps/web/dist/server.js",
      env: { ...shared, PORT: 3000 },
      kill_timeout: KILL_TIMEOUT_MS,
    },
    {
      name: "tandem-web-2",
      script: "apps/web/dist/server.js",
      env: { ...shared, PORT: 3001 },
      kill_timeout: KILL_TIMEOUT_MS,
    },
    {
      name: "tandem-worker",
      script: "apps/worker/dist/main.js",
      instances: 2,
      exec_mode: "fork",
      env: shared,
      kill_timeout: KILL_TIMEOUT_MS,
    },
  ],
};
