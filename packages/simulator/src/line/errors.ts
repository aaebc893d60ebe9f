/**
 * Error answers of the fake LINE Messaging API, shaped as LINE sends them: `{message, details?[]}`
 * with `details[] = {message, property}` for request-body validation. The messages are LINE's own
 * wording where a client may branch on them ("Invalid reply token", "You have reached your monthly
 * limit.", "The retry key is already accepted").
 */

export interface LineErrorDetail {
  message: string;
  property: string;
}

export interface LineErrorBody {
  message: string;
  details?: LineErrorDetail[];
  /** Only on a 409 for a repeated retry key: what the accepted request sent. */
  sentMessages?: { id: string; quoteToken?: string }[];
}

export class LineError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: LineErrorDetail[],
    readonly headers: Record<string, string> = {},
    readonly extra: Partial<LineErrorBody> = {},
  ) {
    super(message);
  }

  toBody(): LineErrorBody {
    return { message: this.message, ...(this.details ? { details: this.details } : {}), ...this.extra };
  }
}

export const lineErrors = {
  missingAuth: () =>
    new LineError(401, "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'"),
  invalidToken: () =>
    new LineError(401, "Authentication failed. Confirm that the access token in the authorization header is valid."),
  invalidReplyToken: () => new LineError(400, "Invalid reply token"),
  monthlyLimit: () => new LineError(429, "You have reached your monthly limit."),
  rateLimit: () => new LineError(429, "Too Many Requests"),
  serverError: () => new LineError(500, "Internal Server Error"),
  unavailable: () => new LineError(503, "Service Unavailable"),
  notFound: () => new LineError(404, "Not found"),
  unparsable: () => new LineError(400, "The request body could not be parsed as JSON"),
  invalidRetryKey: () => new LineError(400, "The value for the 'X-Line-Retry-Key' header is invalid"),
  retryKeyAccepted: (acceptedRequestId: string, sentMessages: { id: string; quoteToken?: string }[]) =>
    new LineError(
      409,
      "The retry key is already accepted",
      undefined,
      { "x-line-accepted-request-id": acceptedRequestId },
      { sentMessages },
    ),
  invalidBody: (details: LineErrorDetail[]) =>
    new LineError(400, `The request body has ${details.length} error(s)`, details),
  badRequest: (message: string) => new LineError(400, message),
} as const;
