/**
 * Debian's Chromium driven by Playwright: no browser download (`npx playwright install` cannot
 * reach its CDN here). The Playwright config and ad-hoc scripts share these launch options.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

/** Launch options for Debian's Chromium; throws a readable error when the binary is missing. */
export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install it with \`apt-get install -y chromium\` ` +
        "or point CHROMIUM_PATH at a Chromium binary.",
    );
  }
  return { executablePath, args: CHROMIUM_ARGS, headless: true };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}
