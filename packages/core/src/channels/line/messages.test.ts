import { describe, expect, it } from "vitest";
import { batchLineMessages, lineStickerAttachment, toLineMessages } from "./messages.ts";

describe("toLineMessages", () => {
  it("splits text over 5000 characters and keeps shorter text whole", () => {
    const sentence = "This sentence is forty characters long. ";
    const long = sentence.repeat(200).trim(); // 7999 characters
    const parts = toLineMessages({ text: long });

    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.type === "text" && [...p.text].length <= 5000)).toBe(true);
    expect(parts.map((p) => (p.type === "text" ? p.text : "")).join(" ")).toBe(long);
    expect(toLineMessages({ text: "é".repeat(5000) })).toEqual([{ type: "text", text: "é".repeat(5000) }]);
    expect(toLineMessages({ text: "  " })).toEqual([]);
  });

  it("sends https images and stickers natively, and links for what LINE cannot take from a URL", () => {
    const messages = toLineMessages(
      {
        text: "Here you go",
        attachments: [
          { type: "image", url: "https://cdn.example.com/a.jpg" },
          { type: "image", url: "http://insecure.example.com/b.jpg", name: "b.jpg" },
          { type: "video", url: "https://cdn.example.com/v.mp4" },
          { type: "audio", url: "https://cdn.example.com/a.m4a" },
          { type: "file", url: "https://cdn.example.com/menu.pdf", name: "menu.pdf" },
          lineStickerAttachment("446", "1988"),
          { type: "location", url: "https://www.google.com/maps/search/?api=1&query=13.7563,100.5018", name: "Shop" },
          { type: "location", url: "https://maps.example.com/somewhere" },
        ],
      },
      {},
    );

    expect(messages).toEqual([
      { type: "text", text: "Here you go" },
      {
        type: "image",
        originalContentUrl: "https://cdn.example.com/a.jpg",
        previewImageUrl: "https://cdn.example.com/a.jpg",
      },
      { type: "text", text: "b.jpg: http://insecure.example.com/b.jpg" },
      { type: "text", text: "https://cdn.example.com/v.mp4" },
      { type: "text", text: "https://cdn.example.com/a.m4a" },
      { type: "text", text: "menu.pdf: https://cdn.example.com/menu.pdf" },
      { type: "sticker", packageId: "446", stickerId: "1988" },
      { type: "location", title: "Shop", address: "Shop", latitude: 13.7563, longitude: 100.5018 },
      { type: "text", text: "https://maps.example.com/somewhere" },
    ]);
  });

  it("sends a video when a preview image is known", () => {
    expect(
      toLineMessages(
        { attachments: [{ type: "video", url: "https://cdn.example.com/v.mp4" }] },
        { previewUrlOf: () => "https://cdn.example.com/v.jpg" },
      ),
    ).toEqual([
      {
        type: "video",
        originalContentUrl: "https://cdn.example.com/v.mp4",
        previewImageUrl: "https://cdn.example.com/v.jpg",
      },
    ]);
  });
});

describe("batchLineMessages", () => {
  it("groups at most five messages per call, in order", () => {
    const messages = Array.from({ length: 11 }, (_, i) => ({ type: "text" as const, text: String(i) }));
    const batches = batchLineMessages(messages);
    expect(batches.map((b) => b.length)).toEqual([5, 5, 1]);
    expect(batches.flat()).toEqual(messages);
    expect(batchLineMessages([])).toEqual([]);
  });
});
