import { createSimulator, signLineBody } from "@tandem/simulator";
import { describe, expect, it } from "vitest";
import { verifyLineSignature } from "./signature.ts";

const SECRET = "5f2c9e0d7a1b4c3e8d6f0a9b1c2d3e4f";
// LINE sends UTF-8 as is; a parse-and-stringify round trip with other spacing changes the bytes.
const RAW = Buffer.from('{"destination":"U1","events":[{"type":"message","message":{"text":"สวัสดี 😀"}}]}', "utf8");

describe("verifyLineSignature", () => {
  it("accepts the signature of the exact bytes, as a Buffer or a string", () => {
    const signature = signLineBody(SECRET, RAW);
    expect(verifyLineSignature(RAW, signature, SECRET)).toBe(true);
    expect(verifyLineSignature(RAW.toString("utf8"), signature, SECRET)).toBe(true);
  });

  it("refuses re-encoded bodies, another secret, and missing or malformed signatures", () => {
    const signature = signLineBody(SECRET, RAW);
    const reEncoded = JSON.stringify(JSON.parse(RAW.toString("utf8")), null, 1);
    expect(verifyLineSignature(reEncoded, signature, SECRET)).toBe(false);
    expect(verifyLineSignature(RAW, signature, "another-secret")).toBe(false);
    expect(verifyLineSignature(RAW, undefined, SECRET)).toBe(false);
    expect(verifyLineSignature(RAW, "", SECRET)).toBe(false);
    expect(verifyLineSignature(RAW, "not base64 at all", SECRET)).toBe(false);
    expect(verifyLineSignature(RAW, signature.slice(0, 20), SECRET)).toBe(false);
    expect(verifyLineSignature(RAW, `${signature}AAAA`, SECRET)).toBe(false);
    expect(verifyLineSignature(RAW, signature, "")).toBe(false);
  });

  it("accepts what the simulator's customer posts", () => {
    const line = createSimulator({ seedDemo: true }).line;
    const channel = [...line.state.channels.values()][0]!;
    const body = Buffer.from(JSON.stringify({ destination: channel.userId, events: [] }));
    expect(verifyLineSignature(body, signLineBody(channel.channelSecret, body), channel.channelSecret)).toBe(true);
  });
});
