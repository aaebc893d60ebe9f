import type { NextConfig } from "next";

/**
 * Next serves dashboard pages only; the API and Socket.IO live in the custom server (server.ts).
 * `@tandem/contracts` ships raw TypeScript, so Next compiles it with the app.
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@tandem/contracts"],
  // `npm run typecheck` (CI) checks every file, tests and the custom server included; the build that
  // `npm start` runs on a fresh clone should not fail, or take longer, because of a test's types.
  typescript: { ignoreBuildErrors: true },
  // Load each page's server code when it is first requested, not all of them at start-up: the
  // custom server also carries PGlite, and an idle dashboard should not hold pages nobody opened.
  experimental: { preloadEntriesOnStart: false },
};

export default nextConfig;
