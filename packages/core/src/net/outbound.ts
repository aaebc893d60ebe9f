/**
 * Outbound requests to URLs that users choose (an LLM provider's base URL today, knowledge URLs
 * later) must not reach this server's own network: loopback, private ranges, link-local (cloud
 * metadata at 169.254.169.254) and the like are refused unless the operator allows them
 * (`OUTBOUND_ALLOW_PRIVATE`). The address is checked where the connection is made — in the DNS
 * lookup of the HTTP agent, and for IP literals before the request, at every redirect — so a name
 * that resolves to a public address when saved and to 127.0.0.1 later (DNS rebinding) is still refused.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { Agent, fetch as undiciFetch } from "undici";
import { DomainError } from "../errors.ts";

/** What the operator allows among non-public addresses: everything, nothing, or some hosts and networks. */
export type OutboundPolicy = { allowPrivate: "all" } | { allowPrivate: "none" } | { allowPrivate: string[] };

/** Addresses that are not on the public internet (IANA special-purpose registries). */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(net, prefix, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), NAT64 (`64:ff9b::/96`) or 6to4 address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const mapped = /^(?:::ffff:|64:ff9b::)(?:0:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return mapped[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = Number.parseInt(hex[1]!, 16);
    const low = Number.parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  if (sixToFour) {
    const high = Number.parseInt(sixToFour[1]!, 16);
    const low = Number.parseInt(sixToFour[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** True for loopback, private, link-local, shared, reserved, documentation and multicast addresses. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return NON_PUBLIC.check(address, "ipv4");
  const inner = embeddedIpv4(address);
  if (inner) return NON_PUBLIC.check(inner, "ipv4");
  return NON_PUBLIC.check(address, "ipv6");
}

/** Parses `OUTBOUND_ALLOW_PRIVATE`: `0` / `1`, or host names, IPs and CIDRs separated by commas. */
export function parseOutboundPolicy(value: string | undefined): OutboundPolicy {
  const text = (value ?? "").trim();
  if (text === "" || text === "0" || text === "false") return { allowPrivate: "none" };
  if (text === "1" || text === "true") return { allowPrivate: "all" };
  const entries = text
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  for (const entry of entries) {
    const [net, prefix] = entry.split("/");
    const valid = prefix
      ? isIP(net!) !== 0 && /^\d+$/.test(prefix) && Number(prefix) <= (isIP(net!) === 4 ? 32 : 128)
      : isIP(entry) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry);
    if (!valid) throw new Error(`"${entry}" is not a host name, an IP address or a CIDR network`);
  }
  return { allowPrivate: entries };
}

/** Adds hosts the server itself trusts (the simulator at APP_URL's host) to a policy. */
export function allowHosts(policy: OutboundPolicy, hosts: string[]): OutboundPolicy {
  if (policy.allowPrivate === "all" || hosts.length === 0) return policy;
  const current = policy.allowPrivate === "none" ? [] : policy.allowPrivate;
  return { allowPrivate: [...new Set([...current, ...hosts.map((h) => stripBrackets(h).toLowerCase())])] };
}

/** The policy's own allow-list as a matcher of (host name, address). */
function allowedMatcher(policy: OutboundPolicy): (hostname: string, address: string) => boolean {
  if (policy.allowPrivate === "all") return () => true;
  if (policy.allowPrivate === "none") return () => false;
  const names = new Set<string>();
  const networks = new BlockList();
  for (const entry of policy.allowPrivate) {
    const [net, prefix] = entry.split("/");
    const family = isIP(net!);
    if (family === 0) names.add(entry);
    else if (prefix) networks.addSubnet(net!, Number(prefix), family === 4 ? "ipv4" : "ipv6");
    else networks.addAddress(net!, family === 4 ? "ipv4" : "ipv6");
  }
  return (hostname, address) => {
    if (names.has(hostname.toLowerCase())) return true;
    const family = isIP(address);
    return family !== 0 && networks.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

/** Thrown (as the cause of a failed fetch, or directly) when a request would reach a refused address. */
export class OutboundAddressRefused extends Error {
  readonly code = "ERR_OUTBOUND_ADDRESS_REFUSED";
  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      `${hostname} resolves to ${address}, a private or loopback address: refused (OUTBOUND_ALLOW_PRIVATE allows it)`,
    );
    this.name = "OutboundAddressRefused";
  }
}

/** The refusal inside an error thrown by fetch (`TypeError: fetch failed` with the refusal as its cause). */
export function outboundRefusalOf(error: unknown): OutboundAddressRefused | null {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof OutboundAddressRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

const stripBrackets = (hostname: string) => hostname.replace(/^\[(.*)\]$/, "$1");

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A connection-time guard for one policy: the `lookup` given to the HTTP agent, and the check of
 * IP literals, which never go through a lookup.
 */
function createGuard(policy: OutboundPolicy) {
  const allowed = allowedMatcher(policy);
  const refuses = (hostname: string, address: string) => isNonPublicAddress(address) && !allowed(hostname, address);

  const lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : "");
      const refused = addresses.find((a) => refuses(hostname, a.address));
      if (refused) return callback(new OutboundAddressRefused(hostname, refused.address), options.all ? [] : "");
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };

  const checkLiteral = (url: URL) => {
    const host = stripBrackets(url.hostname);
    if (isIP(host) !== 0 && refuses(host, host)) throw new OutboundAddressRefused(host, host);
  };
  return { lookup, checkLiteral, refuses };
}

/** Headers that carry credentials: dropped when a redirect leaves the origin they were sent to. */
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "x-api-key", "x-goog-api-key", "api-key"];

/** At most this many redirects are followed, each one checked like the first request. */
export const MAX_OUTBOUND_REDIRECTS = 5;

/**
 * `fetch` that refuses non-public addresses the policy does not allow, at connection time and at
 * every redirect. One agent (connection pool) per policy.
 */
export function createOutboundFetch(policy: OutboundPolicy): typeof fetch {
  if (policy.allowPrivate === "all") return globalThis.fetch;
  const guard = createGuard(policy);
  const dispatcher = new Agent({ connect: { lookup: guard.lookup as never } });

  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(input instanceof Request ? input.url : input.toString());
    let requestInit = init;
    for (let hop = 0; ; hop++) {
      guard.checkLiteral(url);
      const response = (await undiciFetch(url, {
        ...(requestInit as object),
        redirect: "manual",
        dispatcher,
      } as never)) as unknown as Response;
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || !location || init.redirect === "manual") return response;
      if (init.redirect === "error") throw new TypeError("fetch failed: redirect refused");
      if (hop >= MAX_OUTBOUND_REDIRECTS)
        throw new TypeError(`fetch failed: more than ${MAX_OUTBOUND_REDIRECTS} redirects`);
      await response.body?.cancel();
      const next = new URL(location, url);
      if (url.protocol === "https:" && next.protocol !== "https:") {
        throw new TypeError("fetch failed: redirect from https to http refused");
      }
      // Credentials go to the origin they were meant for only (as fetch does): a redirect elsewhere
      // must not carry the provider's key to another server.
      if (next.origin !== url.origin) {
        const headers = new Headers(requestInit.headers);
        for (const name of CREDENTIAL_HEADERS) headers.delete(name);
        requestInit = { ...requestInit, headers };
      }
      url = next;
      // 303 (and 301/302 after a POST, as browsers do) continue as a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && init.method === "POST")) {
        const { body: _body, ...rest } = requestInit;
        requestInit = { ...rest, method: "GET" };
      }
    }
  };
  return guarded as typeof fetch;
}

const policyFetches = new WeakMap<OutboundPolicy, typeof fetch>();

/** `createOutboundFetch`, built once per policy object (the configuration's). */
export function outboundFetchFor(policy: OutboundPolicy): typeof fetch {
  let fetcher = policyFetches.get(policy);
  if (!fetcher) {
    fetcher = createOutboundFetch(policy);
    policyFetches.set(policy, fetcher);
  }
  return fetcher;
}

/**
 * Checks a user-chosen URL when it is saved, so the person typing it hears at once that it will be
 * refused: 400 `url_not_allowed` when its host is, or resolves to, a refused address. A name that
 * does not resolve now is accepted (the connection-time guard still applies when it is used).
 */
export async function assertOutboundUrlAllowed(policy: OutboundPolicy, rawUrl: string, field = "url"): Promise<void> {
  if (policy.allowPrivate === "all") return;
  const url = new URL(rawUrl);
  const guard = createGuard(policy);
  const host = stripBrackets(url.hostname);
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await dnsLookupAll(host)).map((a) => a.address);
    } catch {
      return;
    }
  }
  const refused = addresses.find((address) => guard.refuses(host, address));
  if (refused) {
    const message = `${url.host} is a private or loopback address (${refused}). This server does not connect to its own network for a URL typed in the dashboard; the operator can allow it with OUTBOUND_ALLOW_PRIVATE.`;
    throw new DomainError("url_not_allowed", message, { details: [{ path: field, code: "url_not_allowed", message }] });
  }
}

const dnsLookupAll = (hostname: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
