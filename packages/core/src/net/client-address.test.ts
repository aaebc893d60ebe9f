import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { addressBucket, clientAddress, normalizeAddress, parseTrustProxy } from "./client-address.ts";

const request = (remoteAddress: string | undefined, forwardedFor?: string | string[]) => ({
  socket: { remoteAddress },
  headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
});

describe("clientAddress", () => {
  it("ignores X-Forwarded-For unless TRUST_PROXY names the peer", () => {
    const spoofed = request("203.0.113.9", "198.51.100.1");
    expect(clientAddress(spoofed, parseTrustProxy(undefined))).toBe("203.0.113.9");
    expect(clientAddress(spoofed, parseTrustProxy(""))).toBe("203.0.113.9");
    expect(clientAddress(spoofed, parseTrustProxy("false"))).toBe("203.0.113.9");
    expect(clientAddress(spoofed, parseTrustProxy("0"))).toBe("203.0.113.9");
    // Trusted proxies are loopback only: a public peer's header is still its own claim.
    expect(clientAddress(spoofed, parseTrustProxy("loopback"))).toBe("203.0.113.9");
  });

  it("walks the header right to left through trusted proxies only", () => {
    const trust = parseTrustProxy("loopback, 10.0.0.0/8");
    // client → 10.1.2.3 (trusted) → 127.0.0.1 (trusted) → us; the left entry was typed by the client.
    const chain = request("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3");
    expect(clientAddress(chain, trust)).toBe("198.51.100.7");
    // Several headers count as one list.
    expect(clientAddress(request("127.0.0.1", ["6.6.6.6, 198.51.100.7", "10.1.2.3"]), trust)).toBe("198.51.100.7");
    // Every hop trusted: the leftmost entry.
    expect(clientAddress(request("127.0.0.1", "10.9.9.9"), trust)).toBe("10.9.9.9");
    // No header: the peer.
    expect(clientAddress(request("127.0.0.1"), trust)).toBe("127.0.0.1");
  });

  it("counts hops with a number", () => {
    const chain = request("172.18.0.5", "6.6.6.6, 198.51.100.7, 192.0.2.44");
    expect(clientAddress(chain, parseTrustProxy("1"))).toBe("192.0.2.44");
    expect(clientAddress(chain, parseTrustProxy("2"))).toBe("198.51.100.7");
    expect(clientAddress(chain, parseTrustProxy("9"))).toBe("6.6.6.6");
  });

  it("handles IPv6, IPv4-mapped IPv6 and CIDR ranges of both", () => {
    const trust = parseTrustProxy("::1, fd00::/8, 192.168.0.0/16");
    expect(clientAddress(request("::1", "2001:DB8::7"), trust)).toBe("2001:db8::7");
    expect(clientAddress(request("fd12:3456::1", "2001:db8::8"), trust)).toBe("2001:db8::8");
    // Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d: compared and reported as IPv4.
    expect(clientAddress(request("::ffff:192.168.1.10", "::ffff:203.0.113.5"), trust)).toBe("203.0.113.5");
    expect(clientAddress(request("::ffff:203.0.113.5", "198.51.100.1"), trust)).toBe("203.0.113.5");
    expect(clientAddress(request("::ffff:127.0.0.1", "198.51.100.1"), parseTrustProxy("loopback"))).toBe(
      "198.51.100.1",
    );
    // A mapped entry in the list matches the IPv4 peer, and the other way round.
    expect(clientAddress(request("10.0.0.2", "198.51.100.2"), parseTrustProxy("::ffff:10.0.0.2"))).toBe("198.51.100.2");
  });

  it("stops at an entry that is not an address, keeping the proxy that forwarded it", () => {
    const trust = parseTrustProxy("loopback");
    expect(clientAddress(request("127.0.0.1", "'; drop table--"), trust)).toBe("127.0.0.1");
    expect(clientAddress(request("127.0.0.1", "unknown"), trust)).toBe("127.0.0.1");
    // Ports and brackets some proxies add are understood.
    expect(clientAddress(request("127.0.0.1", "198.51.100.3:5123"), trust)).toBe("198.51.100.3");
    expect(clientAddress(request("127.0.0.1", "[2001:db8::9]:443"), trust)).toBe("2001:db8::9");
  });

  it("has no address once the socket is gone", () => {
    expect(clientAddress({ socket: null, headers: { "x-forwarded-for": "1.2.3.4" } }, parseTrustProxy("1"))).toBe(
      undefined,
    );
  });
});

describe("TRUST_PROXY", () => {
  it("refuses `true` and anything that is not an address, a range, a name or a count", () => {
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY: trusting every peer/);
    expect(() => loadConfig({ TRUST_PROXY: "nginx" })).toThrow(/TRUST_PROXY: "nginx" is not an IP address/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/33" })).toThrow(/TRUST_PROXY: "10.0.0.0\/33"/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "-1" })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: "loopback,uniquelocal,linklocal,2001:db8::/32" }).trustProxy).toBeTypeOf(
      "function",
    );
  });
});

describe("normalizeAddress and addressBucket", () => {
  it("normalises the spellings of one address", () => {
    expect(normalizeAddress(" 0:0:0:0:0:ffff:10.0.0.1 ")).toBe("10.0.0.1");
    expect(normalizeAddress("2001:DB8::1")).toBe("2001:db8::1");
    expect(normalizeAddress("not-an-ip")).toBeUndefined();
  });

  it("counts an IPv6 client by its /64, an IPv4 client by its address", () => {
    expect(addressBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8:1:2:bbbb::9")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("203.0.113.5")).toBe("203.0.113.5");
    expect(addressBucket(undefined)).toBe("unknown");
  });
});
