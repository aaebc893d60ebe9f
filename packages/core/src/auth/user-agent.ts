/**
 * A readable name for the device behind a session ("Chrome on macOS", "Safari on iPhone"), from
 * its User-Agent header. Only the browsers and systems people sign in with are told apart; anything
 * else keeps the product name at the start of the header ("curl", "python-requests").
 */
export interface DeviceDescription {
  label: string;
  browser: string | null;
  os: string | null;
  mobile: boolean;
}

// Order matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\b(?:OPR|Opera)\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bHeadlessChrome\//, "Headless Chrome"],
  [/\bChrome\/|\bCriOS\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];

const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bWindows\b/, "Windows"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  const ua = userAgent?.trim() ?? "";
  if (!ua) return { label: "Unknown device", browser: null, os: null, mobile: false };
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const os = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const mobile = /\bMobile\b|\biPhone\b|\bAndroid\b.*\bMobile\b/.test(ua);
  if (browser) return { label: os ? `${browser} on ${os}` : browser, browser, os, mobile };
  // Not a browser we know: the product token ("curl/8.5.0" → "curl").
  const product = /^([A-Za-z][\w.-]{0,40})/.exec(ua)?.[1];
  const name = product && product !== "Mozilla" ? product : "Unknown browser";
  return { label: os ? `${name} on ${os}` : name, browser: null, os, mobile };
}
