import type { ChannelAttachments } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { acceptFor, attachBlockedReason, checkFiles, describeLimits, refusalFor } from "./attachment-check";

const MB = 1024 * 1024;
const line: ChannelAttachments = {
  rules: [{ kind: "image", mimes: ["image/jpeg", "image/png"], maxBytes: 10 * MB }],
  maxFiles: 5,
  fetchedByUrl: true,
};
const messenger: ChannelAttachments = {
  rules: [
    { kind: "image", mimes: ["image/jpeg", "image/png"], maxBytes: 25 * MB },
    { kind: "file", mimes: null, maxBytes: 25 * MB },
  ],
  maxFiles: 2,
  fetchedByUrl: false,
};
const onLine = { channelLabel: "LINE", attachments: line };
const onMessenger = { channelLabel: "Facebook Messenger", attachments: messenger };
const file = (name: string, type: string, size = 1000) => ({ name, type, size });

describe("refusalFor", () => {
  it("names the file and the channel's limits when the type is not taken", () => {
    expect(refusalFor(file("menu.exe", "application/x-msdownload"), onLine)).toBe(
      "menu.exe can't be sent on LINE: LINE takes images (JPEG, PNG) up to 10 MB",
    );
  });

  it("refuses a file over its rule's size, saying how large it is", () => {
    expect(refusalFor(file("photo.png", "image/png", 11 * MB), onLine)).toBe(
      "photo.png is too large (11 MB): LINE takes images (JPEG, PNG) up to 10 MB",
    );
    expect(refusalFor(file("photo.png", "image/png", 10 * MB), onLine)).toBeNull();
  });

  it("takes a file of any type, even one the browser does not know, where a rule takes any type", () => {
    expect(refusalFor(file("notes.xyz", ""), onMessenger)).toBeNull();
    expect(refusalFor(file("empty.pdf", "application/pdf", 0), onMessenger)).toBe("empty.pdf is empty");
  });
});

describe("checkFiles", () => {
  it("keeps at most maxFiles with those already attached, and says why the others were left out", () => {
    const picked = [file("a.png", "image/png"), file("b.png", "image/png")];
    const { accepted, refusals } = checkFiles(picked, onMessenger, 1);
    expect(accepted.map((f) => f.name)).toEqual(["a.png"]);
    expect(refusals).toEqual(["b.png was not added: Facebook Messenger takes up to 2 files a message"]);
  });

  it("refuses what the rules refuse and keeps the rest", () => {
    const picked = [file("menu.pdf", "application/pdf"), file("a.jpg", "image/jpeg")];
    const { accepted, refusals } = checkFiles(picked, onLine, 0);
    expect(accepted.map((f) => f.name)).toEqual(["a.jpg"]);
    expect(refusals).toEqual(["menu.pdf can't be sent on LINE: LINE takes images (JPEG, PNG) up to 10 MB"]);
  });
});

describe("attachBlockedReason", () => {
  const open = { note: false, bot: false, publicMedia: true };
  it("lets a reply attach where the channel takes files", () => {
    expect(attachBlockedReason(onMessenger, open)).toBeNull();
    expect(attachBlockedReason(onLine, open)).toBeNull();
  });

  it("says why not: a note, a bot reply, a channel without attachments, LINE without a public https APP_URL", () => {
    expect(attachBlockedReason(onMessenger, { ...open, note: true })).toBe("Internal notes take no attachments");
    expect(attachBlockedReason(onMessenger, { ...open, bot: true })).toMatch(/bot take no attachments/);
    expect(attachBlockedReason({ channelLabel: "Chat API", attachments: undefined }, open)).toBe(
      "Chat API takes no attachments from agents",
    );
    expect(attachBlockedReason(onLine, { ...open, publicMedia: false })).toBe(
      "LINE fetches images from this server, so APP_URL must be its public https address",
    );
    // Messenger uploads the bytes itself: an http APP_URL is no obstacle.
    expect(attachBlockedReason(onMessenger, { ...open, publicMedia: false })).toBeNull();
  });
});

describe("the picker's accept and the paperclip's description", () => {
  it("lists the named types, or any type when a rule takes any", () => {
    expect(acceptFor(line)).toBe("image/jpeg,image/png");
    expect(acceptFor(messenger)).toBeUndefined();
  });

  it("states the limits and how many files a message takes", () => {
    expect(describeLimits(onLine)).toBe("LINE takes images (JPEG, PNG) up to 10 MB; up to 5 files a message");
    expect(describeLimits({ channelLabel: "Chat API", attachments: undefined })).toBe("Chat API takes no attachments");
  });
});
