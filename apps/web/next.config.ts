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
};

export default nextConfig;
