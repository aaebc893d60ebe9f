/**
 * What the loader and the widget bundle share: the bundle's URL, the hand-over object the loader leaves
 * on `window.Tandem`, and the visitor's state in localStorage (no cookies). Both bundles include this
 * file, so it stays small.
 */
import type { PublicIdentifyInput, PublicWidgetConfig } from "@tandem/contracts/public-chat";

/** Where the server serves the widget bundle, relative to the loader's own base (one constant). */
export const WIDGET_BUNDLE_PATH = "/api/v1/public/widget/widget.js";
/** The loader's own path: the chatbot id is its second-to-last segment. */
export const LOADER_PATH = /\/api\/v1\/public\/widget\/([^/]+)\/loader\.js$/;

export type TandemMethod = "open" | "close" | "identify" | "reset";
export type QueuedCall = [
  method: TandemMethod,
  args: unknown[],
  resolve: (v: unknown) => void,
  reject: (e: unknown) => void,
];

export interface TandemApi {
  /** `{ focus: false }`: open without moving the focus into the panel. */
  open(options?: { focus?: boolean }): void;
  close(): void;
  identify(input: PublicIdentifyInput): Promise<{ verified: boolean }>;
  reset(): Promise<void>;
}

/** Left by the loader for the bundle: where the server is, the shadow root, and the calls made so far. */
export interface Boot {
  /** Server origin plus any path prefix before /api (usually just the origin). */
  base: string;
  origin: string;
  prefix: string;
  chatbotId: string;
  host: HTMLElement;
  root: ShadowRoot;
  launcher: HTMLButtonElement;
  badge: HTMLElement;
  /** The config the loader fetched (with a visitor token), or null when this page may not chat. */
  config: Promise<PublicWidgetConfig | null>;
  queue: QueuedCall[];
  /** Set by the bundle: what a launcher click does from then on. */
  onLauncher?: () => void;
}

export type TandemGlobal = TandemApi & { _boot: Boot };

declare global {
  interface Window {
    Tandem?: TandemGlobal;
  }
}

/** The visitor's state for one chatbot, in localStorage under `tandem:{chatbotId}`. */
export interface VisitorState {
  sessionId?: string;
  token?: string;
  expiresAt?: string;
  /** The newest message of the conversation this browser has (catch-up starts after it). */
  lastMessageId?: string | null;
  /** The newest message the visitor has seen with the panel open (the badge counts after it). */
  lastSeenId?: string | null;
  /** The panel was open: it opens again on the next page. */
  open?: boolean;
}

const key = (chatbotId: string) => `tandem:${chatbotId}`;

export function readState(chatbotId: string): VisitorState {
  try {
    return JSON.parse(localStorage.getItem(key(chatbotId)) ?? "{}") as VisitorState;
  } catch {
    return {};
  }
}

export function writeState(chatbotId: string, state: VisitorState | null): void {
  try {
    if (state) localStorage.setItem(key(chatbotId), JSON.stringify(state));
    else localStorage.removeItem(key(chatbotId));
  } catch {
    // Storage full or blocked (private mode): the widget still works for this page.
  }
}
