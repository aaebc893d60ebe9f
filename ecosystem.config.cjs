// PM2 reference for a single VM in scaled mode: two web processes (put nginx with ip_hash in front,
// see deploy/nginx.conf) and two workers, sharing PostgreSQL and Redis. Build once first:
//   npm ci && npm run build && pm2 start ecosystem.config.cjs
const shared = {
  NODE_ENV: "production",
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
  APP_URL: process.env.APP_URL,
  AUTH_SECRET: process.env.AUTH_SECRET,
  ENCRYPTION_KEY: process.env.ENCRYPTION_KEY,
  // nginx on this machine proxies to 127.0.0.1: believe its X-Forwarded-For (deploy/nginx.conf).
  TRUST_PROXY: process.env.TRUST_PROXY ?? "loopback",
};

module.exports = {
  apps: [
    {
      name: "tandem-web-1",
      script: "apps/web/server.ts",
      interpreter: "node",
      interpreter_args: "--import tsx",
      env: { ...shared, PORT: 3000 },
      kill_timeout: 25000,
    },
    {
      name: "tandem-web-2",
      script: "apps/web/server.ts",
      interpreter: "node",
      interpreter_args: "--import tsx",
      env: { ...shared, PORT: 3001 },
      kill_timeout: 25000,
    },
    {
      name: "tandem-worker",
      script: "apps/worker/src/main.ts",
      interpreter: "node",
      interpreter_args: "--import tsx",
      instances: 2,
      exec_mode: "fork",
      env: shared,
      kill_timeout: 25000,
    },
  ],
};
