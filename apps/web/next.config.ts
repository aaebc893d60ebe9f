import type { NextConfig } from "next";

/**
 * Next serves dashboard pages only; the API and Socket.IO live in the custom server (server.ts).
 * `@tandem/contracts` ships raw TypeScript, so Next compiles it with the app.
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@tandem/contracts"],
};

export default nextConfig;
