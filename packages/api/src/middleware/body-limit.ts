import { DomainError } from "@tandem/core";
import { bodyLimit } from "hono/body-limit";

export const tooLarge = (maxBytes: number) =>
  new DomainError("payload_too_large", `The request body is larger than ${maxBytes / 1024} KB`);

/** 413 `payload_too_large` past `maxBytes`: refused by Content-Length unread, or counted as a chunked body arrives. */
export const limitBody = (maxBytes: number) =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge(maxBytes);
    },
  });
