/**
 * In-memory world of the fake Graph API: Pages with their tokens, Messenger users (PSIDs),
 * Facebook Login users and their tokens, OAuth codes, what was sent, and injected faults.
 */
import { createHash, randomBytes } from "node:crypto";
import { type GraphError, graphErrors } from "./errors.ts";

export interface PageInput {
  id: string;
  name: string;
  accessToken: string;
  category?: string;
  /** The Page's short "about" text and its longer description (`GET /{page-id}?fields=about,description`). */
  about?: string;
  description?: string;
  tasks?: string[];
  /**
   * User Profile fields the app has no approval for on this Page (e.g. `["locale"]`): a profile read
   * asking for one is refused with error 100 / 2018247, as Facebook does.
   */
  restrictedProfileFields?: string[];
}

export interface SimPage extends Required<PageInput> {
  /** Fields this app is subscribed to on the Page; `null` when not subscribed. */
  subscribedFields: string[] | null;
}

export interface UserInput {
  psid: string;
  firstName: string;
  lastName: string;
  locale?: string;
  timezone?: number;
  profilePic?: string;
  /** The User Profile API has no profile for this person: every read fails with error 2018218. */
  profileUnavailable?: boolean;
  /**
   * The person's app-scoped id (what Facebook Login and Meta's data-deletion callback name), for the
   * ID Matching API: `GET /{asid}/ids_for_pages` lists this PSID under `pageId`.
   */
  asid?: string;
  /** The Page this PSID belongs to (PSIDs are per Page); the first Page when not given. */
  pageId?: string;
}

export type SimUser = UserInput;

/** A Facebook Login user (the person connecting Pages), distinct from Messenger PSIDs. */
export interface SimLoginUser {
  id: string;
  name: string;
}

export interface UserToken {
  token: string;
  userId: string;
  longLived: boolean;
  expiresIn: number;
}

export interface OAuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  used: boolean;
}

export const FAULT_KINDS = [
  "outside_window",
  "rate_limit",
  "app_rate_limit",
  "server_error",
  "expired_token",
  "no_matching_user",
  "user_unavailable",
  /** Not an error: the send succeeds but the answer carries no `message_id`. */
  "missing_message_id",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** `messages` hits every Send API message, `templates` only structured ones (a product carousel). */
export const FAULT_TARGETS = ["messages", "templates", "sender_actions", "all"] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

/** `times` defaults to 1; use `Infinity` for a fault that never clears by itself. */
export interface Fault {
  kind: FaultKind;
  times?: number;
  /** The Send API calls it hits: messages (the default), sender actions (typing, mark_seen), or both. */
  on?: FaultTarget;
}

export interface OutboundRecord {
  kind: "message" | "sender_action";
  /** `m_sim_<n>` for messages; absent for sender actions. */
  messageId?: string;
  pageId: string;
  recipientId: string;
  messagingType?: string;
  tag?: string;
  message?: Record<string, unknown>;
  senderAction?: string;
  /** The file sent with the call (`filedata`), served at `message.attachment.payload.url`. */
  upload?: { id: string; name: string; contentType: string; size: number };
  time: number;
}

/** A file a Send API call uploaded (`filedata`), served at `{base}/_attachments/{id}` as Meta's CDN would. */
export interface SimAttachment {
  id: string;
  bytes: Uint8Array;
  contentType: string;
  name: string;
  time: number;
}

export const SUBSCRIBABLE_FIELDS = [
  "messages",
  "messaging_postbacks",
  "message_deliveries",
  "message_reads",
  "message_echoes",
  "message_reactions",
  "message_edits",
  "standby",
  "messaging_handovers",
  "messaging_optins",
  "messaging_referrals",
  "messaging_policy_enforcement",
  "messaging_account_linking",
  "feed",
] as const;

export const DEFAULT_PAGE_TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"];

const FIRST_NAMES = ["Ava", "Noah", "Mia", "Liam", "Sofia", "Lucas", "Emma", "Mateo", "Chloe", "Kenji", "Ana", "Jonas"];
const LAST_NAMES = ["Nguyen", "Garcia", "Müller", "Tanaka", "Silva", "Kowalski", "Dubois", "Rossi", "Okafor", "Berg"];

/** The same PSID always gets the same name, so tests and the demo can predict it. */
export function fakeProfile(psid: string): SimUser {
  const digest = createHash("sha256").update(psid).digest();
  return {
    psid,
    firstName: FIRST_NAMES[(digest[0] ?? 0) % FIRST_NAMES.length] ?? "Ava",
    lastName: LAST_NAMES[(digest[1] ?? 0) % LAST_NAMES.length] ?? "Nguyen",
    locale: "en_US",
    timezone: 0,
  };
}

/** The error a fault answers with; `undefined` for `missing_message_id`, which succeeds. */
export function faultError(kind: FaultKind): GraphError | undefined {
  switch (kind) {
    case "outside_window":
      return graphErrors.outsideWindow();
    case "rate_limit":
      return graphErrors.rateLimit();
    case "app_rate_limit":
      return graphErrors.appRateLimit();
    case "server_error":
      return graphErrors.serverError();
    case "expired_token":
      return graphErrors.expiredToken();
    case "no_matching_user":
      return graphErrors.noMatchingUser();
    case "user_unavailable":
      return graphErrors.userUnavailable();
    case "missing_message_id":
      return undefined;
  }
}

export interface GraphStateSeed {
  pages?: PageInput[];
  users?: UserInput[];
  /** The Facebook Login user who "approves" the OAuth dialog. */
  loginUser?: SimLoginUser;
  /** How many uploaded files are kept, the oldest dropped first: by default 200 files, 200 MB together. */
  keptAttachments?: { files?: number; bytes?: number };
}

export class GraphState {
  readonly pages = new Map<string, SimPage>();
  readonly users = new Map<string, SimUser>();
  readonly userTokens = new Map<string, UserToken>();
  readonly oauthCodes = new Map<string, OAuthCode>();
  /** Keyed by recipient PSID; consulted by Send API calls (messages and/or sender actions), not profile reads. */
  readonly faults = new Map<string, Fault>();
  readonly outbox: OutboundRecord[] = [];
  /** Uploaded files by id, oldest first (see `keepAttachment`). */
  readonly attachments = new Map<string, SimAttachment>();
  /** `attachment_id`s handed out for `is_reusable` attachments: the URL each one sends. */
  readonly reusableAttachments = new Map<string, string>();
  loginUser: SimLoginUser;
  /** The next OAuth dialog redirects with `error=access_denied` instead of a code, then resets. */
  denyNextOAuth = false;
  private messageCounter = 0;
  private attachmentCounter = 0;

  constructor(private readonly seed: GraphStateSeed = {}) {
    this.loginUser = seed.loginUser ?? { id: "10000000000001", name: "Sim Admin" };
    this.applySeed();
  }

  addPage(input: PageInput): SimPage {
    const page: SimPage = {
      category: "Shopping & Retail",
      about: "",
      description: "",
      tasks: DEFAULT_PAGE_TASKS,
      ...input,
      restrictedProfileFields: input.restrictedProfileFields ?? [],
      subscribedFields: this.pages.get(input.id)?.subscribedFields ?? null,
    };
    this.pages.set(page.id, page);
    return page;
  }

  addUser(input: UserInput): SimUser {
    this.users.set(input.psid, { ...input });
    return input;
  }

  /** A registered user, or the deterministic fake profile of an unknown PSID. */
  profile(psid: string): SimUser {
    return this.users.get(psid) ?? fakeProfile(psid);
  }

  pageByToken(token: string): SimPage | undefined {
    for (const page of this.pages.values()) if (page.accessToken === token) return page;
    return undefined;
  }

  /** Issue a Facebook Login user token directly, skipping the OAuth dialog (for tests). */
  issueUserToken(options: { longLived?: boolean; userId?: string } = {}): UserToken {
    const longLived = options.longLived ?? false;
    const token: UserToken = {
      token: `EAASIMU${randomBytes(18).toString("base64url")}`,
      userId: options.userId ?? this.loginUser.id,
      longLived,
      expiresIn: longLived ? 5_183_944 : 5_400,
    };
    this.userTokens.set(token.token, token);
    return token;
  }

  issueOAuthCode(clientId: string, redirectUri: string): OAuthCode {
    const code: OAuthCode = {
      code: `AQsim${randomBytes(24).toString("base64url")}`,
      clientId,
      redirectUri,
      userId: this.loginUser.id,
      used: false,
    };
    this.oauthCodes.set(code.code, code);
    return code;
  }

  /** Appends to the outbox, keeping the latest 5000 records. */
  recordOutbound(record: OutboundRecord): void {
    this.outbox.push(record);
    if (this.outbox.length > 5_000) this.outbox.splice(0, this.outbox.length - 5_000);
  }

  /** Keeps an uploaded file, dropping the oldest beyond the count and byte limits. */
  keepAttachment(file: Omit<SimAttachment, "id">): SimAttachment {
    this.attachmentCounter += 1;
    const kept: SimAttachment = { ...file, id: `att_sim_${this.attachmentCounter}_${randomBytes(6).toString("hex")}` };
    this.attachments.set(kept.id, kept);
    let total = 0;
    for (const a of this.attachments.values()) total += a.bytes.byteLength;
    const { files = 200, bytes = 200 * 1024 * 1024 } = this.seed.keptAttachments ?? {};
    for (const [id, a] of this.attachments) {
      if (this.attachments.size <= files && total <= bytes) break;
      this.attachments.delete(id);
      total -= a.bytes.byteLength;
    }
    return kept;
  }

  /** An `attachment_id` for a reusable attachment sent from `url`. */
  reuseAttachment(url: string): string {
    this.attachmentCounter += 1;
    const id = `${9_000_000_000_000 + this.attachmentCounter}`;
    this.reusableAttachments.set(id, url);
    if (this.reusableAttachments.size > 5_000) {
      this.reusableAttachments.delete(this.reusableAttachments.keys().next().value as string);
    }
    return id;
  }

  nextMessageId(): string {
    this.messageCounter += 1;
    return `m_sim_${this.messageCounter}`;
  }

  /** The pending fault for this recipient on this kind of Send API call, if any; consumes one use of it. */
  takeFault(psid: string, call: "message" | "template" | "sender_action"): FaultKind | undefined {
    const fault = this.faults.get(psid);
    const on = fault?.on ?? "messages";
    const hits =
      on === "all" ||
      (on === "messages" && call !== "sender_action") ||
      (on === "templates" && call === "template") ||
      (on === "sender_actions" && call === "sender_action");
    if (!fault || !hits) return undefined;
    const remaining = (fault.times ?? 1) - 1;
    if (remaining <= 0) this.faults.delete(psid);
    else this.faults.set(psid, { ...fault, times: remaining });
    return fault.kind;
  }

  /** Back to the seeded pages and users; forgets tokens, codes, faults, the outbox and uploaded files. */
  reset(): void {
    this.pages.clear();
    this.users.clear();
    this.userTokens.clear();
    this.oauthCodes.clear();
    this.faults.clear();
    this.outbox.length = 0;
    this.attachments.clear();
    this.reusableAttachments.clear();
    this.messageCounter = 0;
    this.attachmentCounter = 0;
    this.denyNextOAuth = false;
    this.loginUser = this.seed.loginUser ?? { id: "10000000000001", name: "Sim Admin" };
    this.applySeed();
  }

  private applySeed(): void {
    for (const page of this.seed.pages ?? []) this.addPage(page);
    for (const user of this.seed.users ?? []) this.addUser(user);
  }
}
