/**
 * The outbound guard against real sockets: loopback servers stand in for the private network a
 * typed-in URL must not reach.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertOutboundUrlAllowed,
  createOutboundFetch,
  isNonPublicAddress,
  OutboundAddressRefused,
  outboundRefusalOf,
  parseOutboundPolicy,
} from "./outbound.ts";

describe("isNonPublicAddress", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd00::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a00:1",
    "2002:7f00:1::",
    "not-an-ip",
  ])("refuses %s", (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])(
    "lets %s through",
    (address) => {
      expect(isNonPublicAddress(address)).toBe(false);
    },
  );
});

describe("parseOutboundPolicy", () => {
  it("reads off, on and lists of hosts, addresses and networks", () => {
    expect(parseOutboundPolicy(undefined)).toEqual({ allowPrivate: "none" });
    expect(parseOutboundPolicy("0")).toEqual({ allowPrivate: "none" });
    expect(parseOutboundPolicy("1")).toEqual({ allowPrivate: "all" });
    expect(parseOutboundPolicy(" Ollama.internal , 10.0.0.0/8,::1 ")).toEqual({
      allowPrivate: ["ollama.internal", "10.0.0.0/8", "::1"],
    });
  });

  it("refuses what is not a host, an address or a network", () => {
    expect(() => parseOutboundPolicy("10.0.0.0/33")).toThrow(/CIDR/);
    expect(() => parseOutboundPolicy("http://x")).toThrow(/not a host name/);
  });
});

describe("createOutboundFetch", () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  const authorizations: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? "");
      authorizations.push(req.headers.authorization);
      if (req.url === "/redirect-other-origin") {
        res.writeHead(307, { location: `http://localhost:${port}/landed` }).end();
        return;
      }
      if (req.url === "/redirect-to-other-loopback") {
        res.writeHead(302, { location: `http://127.0.0.2:${port}/landed` }).end();
        return;
      }
      if (req.url === "/redirect-local") {
        res.writeHead(302, { location: "/landed" }).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("inside");
    });
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    return outboundRefusalOf(error);
  };

  it("refuses a loopback IP literal and a name that resolves to loopback, before any byte is sent", async () => {
    const guarded = createOutboundFetch({ allowPrivate: "none" });
    hits.length = 0;
    expect(await refusal(guarded(`http://127.0.0.1:${port}/literal`))).toBeInstanceOf(OutboundAddressRefused);
    expect(await refusal(guarded(`http://[::ffff:127.0.0.1]:${port}/mapped`))).toBeInstanceOf(OutboundAddressRefused);
    const byName = await refusal(guarded(`http://localhost:${port}/name`));
    expect(byName?.hostname).toBe("localhost");
    expect(hits).toEqual([]);
  });

  it("reaches what the allow-list names, and checks every redirect again", async () => {
    const guarded = createOutboundFetch({ allowPrivate: ["127.0.0.1"] });
    hits.length = 0;
    const ok = await guarded(`http://127.0.0.1:${port}/redirect-local`);
    expect(await ok.text()).toBe("inside");
    expect(hits).toEqual(["/redirect-local", "/landed"]);

    hits.length = 0;
    const refused = await refusal(guarded(`http://127.0.0.1:${port}/redirect-to-other-loopback`));
    expect(refused?.address).toBe("127.0.0.2");
    expect(hits).toEqual(["/redirect-to-other-loopback"]);
  });

  it("keeps a key for the origin it was sent to: a redirect elsewhere goes without it", async () => {
    const guarded = createOutboundFetch({ allowPrivate: ["127.0.0.1", "localhost"] });
    authorizations.length = 0;
    const init = {
      method: "POST",
      headers: { authorization: "Bearer sk-secret", "content-type": "text/plain" },
      body: "x",
    };
    await (await guarded(`http://127.0.0.1:${port}/redirect-local`, init)).text();
    expect(authorizations).toEqual(["Bearer sk-secret", "Bearer sk-secret"]);
    authorizations.length = 0;
    await (await guarded(`http://127.0.0.1:${port}/redirect-other-origin`, init)).text();
    expect(authorizations).toEqual(["Bearer sk-secret", undefined]);
  });

  it("allows a host by name", async () => {
    const guarded = createOutboundFetch({ allowPrivate: ["localhost"] });
    const res = await guarded(`http://localhost:${port}/by-name`);
    expect(res.status).toBe(200);
  });
});

describe("assertOutboundUrlAllowed", () => {
  it("answers url_not_allowed for private hosts and lets public or allowed ones through", async () => {
    await expect(
      assertOutboundUrlAllowed({ allowPrivate: "none" }, "http://169.254.169.254/latest", "baseUrl"),
    ).rejects.toMatchObject({ code: "url_not_allowed", details: [{ path: "baseUrl" }] });
    await expect(assertOutboundUrlAllowed({ allowPrivate: "none" }, "http://localhost:11434/v1")).rejects.toMatchObject(
      { code: "url_not_allowed" },
    );
    await expect(assertOutboundUrlAllowed({ allowPrivate: "none" }, "https://8.8.8.8/v1")).resolves.toBeUndefined();
    await expect(
      assertOutboundUrlAllowed({ allowPrivate: ["localhost"] }, "http://localhost:11434/v1"),
    ).resolves.toBeUndefined();
    await expect(assertOutboundUrlAllowed({ allowPrivate: "all" }, "http://10.0.0.5/v1")).resolves.toBeUndefined();
  });
});
