/** Largest request body the API reads (webhooks included): larger ones are answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
