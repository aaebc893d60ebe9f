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

const MAX_TEMPLATE_ALT_TEXT = 400;
const MAX_CAROUSEL_COLUMNS = 10;
const TEMPLATE_TYPES = ["buttons", "confirm", "carousel", "image_carousel"];
const ACTION_TYPES = ["postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location"];

/**
 * A template message's `template`, as LINE checks a carousel: 1–10 columns; each with a `text` (at
 * most 60 characters with an image or a title, else 120), a title of at most 40, an https thumbnail,
 * 1–3 actions; and every column alike — the same number of actions, an image on all or none, a title
 * on all or none. Other template types are only checked for their type.
 */
function validateTemplate(template: unknown, at: string): LineErrorDetail[] {
  if (!isRecord(template)) return [{ message: "May not be empty", property: at }];
  if (!TEMPLATE_TYPES.includes(String(template.type))) {
    return [{ message: `Must be one of the following values: [${TEMPLATE_TYPES.join(", ")}]`, property: `${at}.type` }];
  }
  if (template.type !== "carousel") return [];
  const columns = template.columns;
  if (!Array.isArray(columns) || columns.length < 1 || columns.length > MAX_CAROUSEL_COLUMNS) {
    return [{ message: `Size must be between 1 and ${MAX_CAROUSEL_COLUMNS}`, property: `${at}.columns` }];
  }
  const details: LineErrorDetail[] = [];
  columns.forEach((column, i) => {
    const col = `${at}.columns[${i}]`;
    if (!isRecord(column)) {
      details.push({ message: "May not be empty", property: col });
      return;
    }
    const hasImage = column.thumbnailImageUrl !== undefined;
    const hasTitle = column.title !== undefined;
    if (hasImage && !httpsUrl(column.thumbnailImageUrl)) {
      details.push({ message: "Must be a valid HTTPS URL", property: `${col}.thumbnailImageUrl` });
    }
    if (hasTitle && (typeof column.title !== "string" || length(column.title) > 40)) {
      details.push({ message: "Length must be between 0 and 40", property: `${col}.title` });
    }
    const maxText = hasImage || hasTitle ? 60 : 120;
    if (typeof column.text !== "string" || column.text === "") {
      details.push({ message: "May not be empty", property: `${col}.text` });
    } else if (length(column.text) > maxText) {
      details.push({ message: `Length must be between 0 and ${maxText}`, property: `${col}.text` });
    }
    const actions = column.actions;
    if (!Array.isArray(actions) || actions.length < 1 || actions.length > 3) {
      details.push({ message: "Size must be between 1 and 3", property: `${col}.actions` });
    } else {
      for (const [j, action] of actions.entries()) details.push(...validateAction(action, `${col}.actions[${j}]`));
    }
    if (column.defaultAction !== undefined)
      details.push(...validateAction(column.defaultAction, `${col}.defaultAction`, false));
    const first = columns[0] as Record<string, unknown>;
    if (i > 0 && isRecord(first)) {
      const same = (key: string) => (column[key] === undefined) === (first[key] === undefined);
      const count = (c: Record<string, unknown>) => (Array.isArray(c.actions) ? c.actions.length : 0);
      if (!same("thumbnailImageUrl") || !same("title") || count(column) !== count(first)) {
        details.push({
          message: "The number of actions, and whether there is an image and a title, must be the same in every column",
          property: col,
        });
      }
    }
  });
  return details;
}

function validateAction(action: unknown, at: string, labelRequired = true): LineErrorDetail[] {
  if (!isRecord(action)) return [{ message: "May not be empty", property: at }];
  const details: LineErrorDetail[] = [];
  if (!ACTION_TYPES.includes(String(action.type))) {
    details.push({
      message: `Must be one of the following values: [${ACTION_TYPES.join(", ")}]`,
      property: `${at}.type`,
    });
  }
  if (action.label === undefined ? labelRequired : typeof action.label !== "string" || length(action.label) > 20) {
    details.push({ message: "Length must be between 1 and 20", property: `${at}.label` });
  }
  if (action.type === "uri") {
    const uri = action.uri;
    const ok =
      typeof uri === "string" &&
      uri.length <= 1000 &&
      URL.canParse(uri) &&
      /^(https?|line|tel):$/.test(new URL(uri).protocol);
    if (!ok) details.push({ message: "Must be a valid URI (http, https, line or tel)", property: `${at}.uri` });
  }
  if (action.type === "message" && (typeof action.text !== "string" || !action.text || length(action.text) > 300)) {
    details.push({ message: "Length must be between 1 and 300", property: `${at}.text` });
  }
  if (action.type === "postback" && (typeof action.data !== "string" || !action.data || length(action.data) > 300)) {
    details.push({ message: "Length must be between 1 and 300", property: `${at}.data` });
  }
  return details;
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
      requireString("altText", MAX_TEMPLATE_ALT_TEXT);
      details.push(...validateTemplate(message.template, `${at}.template`));
      break;
    case "imagemap":
      requireString("altText", 1500);
      break;
    default:
      fail("type", `Must be one of the following values: [${MESSAGE_TYPES.join(", ")}]`);
  }
  return details;
}
