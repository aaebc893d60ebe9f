/**
 * The client's address behind reverse proxies, the way Express (`trust proxy`) and Fastify
 * (`trustProxy`) work it out: start at the TCP peer and walk `X-Forwarded-For` from right to left
 * while the current hop is a trusted proxy; the first untrusted hop is the client. Nobody else's
 * `X-Forwarded-For` counts, so without `TRUST_PROXY` the header is ignored and a client cannot pick
 * the address its rate limits and audit rows are kept under.
 *
 * `TRUST_PROXY` takes a hop count (`1`: the peer is the proxy, whoever it is) or a comma-separated
 * list of proxies: IPv4/IPv6 addresses, CIDR ranges, and the names `loopback` (127.0.0.0/8, ::1),
 * `linklocal` (169.254.0.0/16, fe80::/10) and `uniquelocal` (10/8, 172.16/12, 192.168/16, fc00::/7).
 * IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are compared, and reported, as IPv4.
 */
import { BlockList, isIP } from "node:net";

/** Whether the hop `hop` steps from the server (0: the TCP peer), at `address`, may name the one before it. */
export type ProxyTrust = (address: string, hop: number) => boolean;

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

export const trustNoProxy: ProxyTrust = () => false;

/**
 * Parses `TRUST_PROXY`. Unset, empty or `false` trusts nobody. Throws an Error whose message says
 * what is wrong (the config loader names the variable).
 */
export function parseTrustProxy(value: string | undefined): ProxyTrust {
  const setting = value?.trim() ?? "";
  if (setting === "" || setting === "false") return trustNoProxy;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return hops === 0 ? trustNoProxy : (_address, hop) => hop < hops;
  }
  if (setting === "true") {
    throw new Error(
      "trusting every peer would let any client choose its address: name the proxies (loopback, an IP or a CIDR range) or give a hop count",
    );
  }
  const list = new BlockList();
  for (const item of setting.split(",").map((s) => s.trim())) {
    if (!item) continue;
    for (const range of NAMED_RANGES[item] ?? [item]) addRange(list, range, item);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

function addRange(list: BlockList, range: string, item: string): void {
  const [rawAddress, prefixText, extra] = range.split("/");
  const address = normalizeAddress(rawAddress ?? "");
  const family = address ? isIP(address) : 0;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (
    !address ||
    extra !== undefined ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > bits ||
    prefixText === ""
  ) {
    throw new Error(
      `"${item}" is not an IP address, a CIDR range or one of ${Object.keys(NAMED_RANGES).join(", ")}, nor a hop count`,
    );
  }
  list.addSubnet(address, prefix, family === 4 ? "ipv4" : "ipv6");
}

/**
 * An address as it may appear on a socket or in `X-Forwarded-For`: trimmed, without brackets or a
 * port, IPv4-mapped IPv6 turned into IPv4, IPv6 lower-cased. Undefined when it is not an IP address.
 */
export function normalizeAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) return undefined;
  value = value.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  return value;
}

/** What `clientAddress` reads of a request: node's IncomingMessage has it, and so does Socket.IO's handshake. */
export interface RequestAddressSource {
  socket?: { remoteAddress?: string | undefined } | null;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The client's address: the TCP peer, or — while the hop at hand is a trusted proxy — the address
 * it put in `X-Forwarded-For`, walking right to left. An entry that is not an IP address ends the
 * walk at the proxy that forwarded it. Undefined when the socket is gone and no address is known.
 */
export function clientAddress(req: RequestAddressSource, trust: ProxyTrust): string | undefined {
  let address = normalizeAddress(req.socket?.remoteAddress);
  if (!address || trust === trustNoProxy) return address;
  const header = req.headers["x-forwarded-for"];
  if (!header) return address;
  const forwarded = (Array.isArray(header) ? header.join(",") : header).split(",");
  for (let hop = 0, i = forwarded.length - 1; i >= 0 && trust(address, hop); hop++, i--) {
    const next = normalizeAddress(forwarded[i]);
    if (!next) break;
    address = next;
  }
  return address;
}

/**
 * The key a per-address limit counts under: the address itself for IPv4, its /64 network for IPv6
 * (one subscriber usually holds a whole /64, so counting single IPv6 addresses is no limit at all).
 */
export function addressBucket(address: string | undefined): string {
  if (!address) return "unknown";
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (`::ffff:1.2.3.4` outside the mapped range, `64:ff9b::1.2.3.4`) is two groups.
  const groups = (parts: string[]) =>
    parts.flatMap((p) => {
      if (!p.includes(".")) return [p];
      const [a, b, c, d] = p.split(".").map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const l = groups(left);
  const r = tail === undefined ? [] : groups(right);
  const fill = tail === undefined ? [] : new Array(8 - l.length - r.length).fill("0");
  return [...l, ...fill, ...r].map((g) => g.replace(/^0+(?=.)/, ""));
}
