/**
 * Every expected failure in the domain is a DomainError with a snake_case code. Transports map
 * codes to their own vocabulary (HTTP status, job retry, socket ack) in exactly one place each.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: unknown;
  /** Seconds the caller should wait before retrying (rate limits). */
  readonly retryAfterSeconds?: number;

  constructor(
    code: string,
    message: string,
    options: { details?: unknown; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;

export const notFound = (what: string, code = `${what}_not_found`) =>
  new DomainError(
    code,
    `${what.replaceAll("_", " ")} not found`.replace(/^./, (c) => c.toUpperCase()),
  );

/** A 400-class error on one input field, in the shape zod failures have (`details: [{ path, code, message }]`). */
export const invalidField = (code: string, path: string, message: string) =>
  new DomainError(code, message, { details: [{ path, code, message }] });
