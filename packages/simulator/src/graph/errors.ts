/**
 * Graph API error bodies as Meta sends them: `{"error":{message,type,code,error_subcode?,fbtrace_id}}`.
 * Messages and codes follow the Messenger error reference (platform-protocols.md §1), so a client
 * that branches on `code` / `error_subcode` behaves here as it would against graph.facebook.com.
 */
import { randomBytes } from "node:crypto";

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly options: { type?: string; subcode?: number; transient?: boolean } = {},
  ) {
    super(message);
  }

  toBody(): GraphErrorBody {
    const { type = "OAuthException", subcode, transient } = this.options;
    return {
      error: {
        message: this.message,
        type,
        code: this.code,
        ...(subcode === undefined ? {} : { error_subcode: subcode }),
        ...(transient === undefined ? {} : { is_transient: transient }),
        fbtrace_id: fbtraceId(),
      },
    };
  }
}

export function fbtraceId(): string {
  return `A${randomBytes(16).toString("base64url").slice(0, 22)}`;
}

export const graphErrors = {
  invalidToken: () => new GraphError(400, 190, "Invalid OAuth access token."),
  expiredToken: () =>
    new GraphError(
      400,
      190,
      "Error validating access token: Session has expired. The current time is after the expiry time.",
      { subcode: 463 },
    ),
  missingToken: () => new GraphError(400, 104, "An access token is required to request this resource."),
  outsideWindow: () =>
    new GraphError(
      400,
      10,
      "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
      { subcode: 2018278 },
    ),
  rateLimit: () =>
    new GraphError(400, 613, "(#613) Calls to this api have exceeded the rate limit.", { transient: true }),
  appRateLimit: () => new GraphError(400, 4, "(#4) Application request limit reached", { transient: true }),
  serverError: () =>
    new GraphError(500, 2, "An unexpected error has occurred. Please retry your request later.", { transient: true }),
  noMatchingUser: () => new GraphError(400, 100, "(#100) No matching user found", { subcode: 2018001 }),
  userUnavailable: () => new GraphError(400, 551, "This person isn't available right now.", { subcode: 1545041 }),
  permission: (what: string) => new GraphError(403, 200, `(#200) ${what}`),
  /** A User Profile field the app has no approval for (`locale`, `timezone`, `gender`). */
  profileFieldNotApproved: () =>
    new GraphError(400, 100, "(#100) Insufficient permission to access user profile.", { subcode: 2018247 }),
  noProfile: () => new GraphError(400, 100, "(#100) No profile available for this user.", { subcode: 2018218 }),
  invalidParameter: (message: string, subcode?: number) =>
    new GraphError(400, 100, `(#100) ${message}`, subcode === undefined ? {} : { subcode }),
  /** An uploaded file Meta will not take (over 25 MB, or not the attachment type it claims). */
  uploadFailure: () => new GraphError(400, 100, "(#100) Upload attachment failure.", { subcode: 2018047 }),
  nonexistingField: (field: string, nodeType: string) =>
    new GraphError(400, 100, `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`),
  unknownPath: (path: string) => new GraphError(400, 2500, `Unknown path components: ${path}`),
  unsupportedRequest: (method: string, id: string) =>
    new GraphError(
      400,
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { type: "GraphMethodException", subcode: 33 },
    ),
  invalidClientSecret: () => new GraphError(400, 1, "Error validating client secret."),
  invalidClientId: () => new GraphError(400, 101, "Error validating application. Invalid application ID."),
  invalidCode: () => new GraphError(400, 100, "Invalid verification code format."),
  usedCode: () => new GraphError(400, 100, "This authorization code has been used.", { subcode: 36009 }),
  redirectMismatch: () =>
    new GraphError(
      400,
      100,
      "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
      { subcode: 36008 },
    ),
} as const;
