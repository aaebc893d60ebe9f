/**
 * Request-body validation of message objects as the Messaging API does it: every problem is a
 * `details[]` entry naming its property (`messages[0].text`), all of them in one 400.
 */
import type { LineErrorDetail } from "./errors.ts";

export const MAX_MESSAGES = 5;
export const MAX_TEXT_LENGTH = 5000;
const MESSAGE_TYPES = ["text", "image", "video", "audio", "location", "sticker", "template", "imagemap", "flex"];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const length = (text: string) => [...text].length;

function httpsUrl(value: unknown): boolean {
  if (typeof value !== "string" || value.length > 2000 || !URL.canParse(value)) return false;
  return new URL(value).protocol === "https:";
}

export function validateMessages(messages: unknown): LineErrorDetail[] {
  if (!Array.isArray(messages)) return [{ message: "May not be empty", property: "messages" }];
  if (messages.length < 1 || messages.length > MAX_MESSAGES) {
    return [{ message: `Size must be between 1 and ${MAX_MESSAGES}`, property: "messages" }];
  }
  return messages.flatMap((message, index) => validateMessage(message, `messages[${index}]`));
}

function validateMessage(message: unknown, at: string): LineErrorDetail[] {
  if (!isRecord(message)) return [{ message: "May not be empty", property: at }];
  const details: LineErrorDetail[] = [];
  const fail = (property: string, text: string) => details.push({ message: text, property: `${at}.${property}` });
  const requireString = (property: string, max?: number) => {
    const value = message[property];
    if (typeof value !== "string" || value === "") fail(property, "May not be empty");
    else if (max !== undefined && length(value) > max) fail(property, `Length must be between 0 and ${max}`);
  };
  const requireHttps = (property: string) => {
    if (message[property] === undefined || message[property] === "") fail(property, "May not be empty");
    else if (!httpsUrl(message[property])) fail(property, "Must be a valid HTTPS URL");
  };

  switch (message.type) {
    case "text":
      requireString("text", MAX_TEXT_LENGTH);
      break;
    case "sticker":
      requireString("packageId");
      requireString("stickerId");
      break;
    case "image":
      requireHttps("originalContentUrl");
      requireHttps("previewImageUrl");
      break;
    case "video":
      requireHttps("originalContentUrl");
      requireHttps("previewImageUrl");
      break;
    case "audio":
      requireHttps("originalContentUrl");
      if (typeof message.duration !== "number" || message.duration < 0) fail("duration", "May not be empty");
      break;
    case "location":
      requireString("title", 100);
      requireString("address", 100);
      if (typeof message.latitude !== "number") fail("latitude", "May not be empty");
      if (typeof message.longitude !== "number") fail("longitude", "May not be empty");
      break;
    case "flex":
      requireString("altText", 1500);
      if (!isRecord(message.contents)) fail("contents", "May not be empty");
      break;
    case "template":
    case "imagemap":
      requireString("altText", 1500);
      break;
    default:
      fail("type", `Must be one of the following values: [${MESSAGE_TYPES.join(", ")}]`);
  }
  return details;
}
