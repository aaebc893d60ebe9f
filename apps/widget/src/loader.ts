/**
 * The script a site pastes: `<script src="https://tandem.example/api/v1/public/widget/{chatbotId}/loader.js" async>`.
 * It stays tiny (budget 5 KB gzip): it finds the server and the chatbot from its own URL, fetches the
 * widget config (which carries the visitor token, or nothing on a page that may not chat), draws the
 * launcher inside a Shadow DOM, defines `window.Tandem` (calls are queued), and loads the widget bundle
 * on the first click or when the browser is idle.
 */
import type { PublicWidgetConfig } from "@tandem/contracts/public-chat";
import { PUBLIC_HEADERS } from "@tandem/contracts/public-chat-wire";
import { addCss } from "./dom.ts";
import {
  type Boot,
  LOADER_PATH,
  type QueuedCall,
  readState,
  type TandemGlobal,
  type TandemMethod,
  WIDGET_BUNDLE_PATH,
} from "./shared.ts";

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" fill="currentColor"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

const LAUNCHER_CSS = `:host{all:initial}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;
background:var(--tandem-primary,#2563eb);color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;
box-shadow:0 4px 16px rgba(0,0,0,.25);padding:0}
:host(.left) .launcher{right:auto;left:20px}
.launcher:focus-visible{outline:3px solid #111;outline-offset:3px}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;
background:#dc2626;color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center}
.badge[hidden]{display:none}`;

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && LOADER_PATH.test(new URL(current.src, location.href).pathname)) {
    return current;
  }
  for (const s of Array.from(document.scripts)) {
    if (s.src && LOADER_PATH.test(new URL(s.src, location.href).pathname)) return s;
  }
  return null;
}

function start(): void {
  if (window.Tandem) return;
  const script = findScript();
  if (!script) return;
  const url = new URL(script.src, location.href);
  const match = LOADER_PATH.exec(url.pathname);
  if (!match) return;
  const chatbotId = decodeURIComponent(match[1]!);
  const prefix = url.pathname.slice(0, match.index);
  const base = url.origin + prefix;

  const state = readState(chatbotId);
  const headers: Record<string, string> = {};
  if (state.sessionId) headers[PUBLIC_HEADERS.visitorSession] = state.sessionId;
  const config: Promise<PublicWidgetConfig | null> = fetch(
    `${base}/api/v1/public/chat/${encodeURIComponent(chatbotId)}/config`,
    { headers, credentials: "omit" },
  )
    .then((r) => (r.ok ? (r.json() as Promise<PublicWidgetConfig>) : null))
    .then((c) => (c?.visitor ? c : null))
    .catch(() => null);

  const host = document.createElement("div");
  host.setAttribute("data-tandem-widget", chatbotId);
  const root = host.attachShadow({ mode: "open" });
  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-label", "Chat");
  launcher.setAttribute("aria-expanded", "false");
  launcher.innerHTML = CHAT_ICON; // a constant, never page or server text
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  launcher.append(badge);
  addCss(root, LAUNCHER_CSS);
  root.append(launcher);

  const queue: QueuedCall[] = [];
  const boot: Boot = { base, origin: url.origin, prefix, chatbotId, host, root, launcher, badge, config, queue };
  let requested = false;
  const load = () => {
    if (requested) return;
    requested = true;
    const bundle = document.createElement("script");
    bundle.src = base + WIDGET_BUNDLE_PATH;
    bundle.async = true;
    document.head.append(bundle);
  };
  const queued =
    (method: TandemMethod) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        queue.push([method, args, resolve, reject]);
        if (method === "open") load();
      });
  window.Tandem = {
    open: queued("open"),
    close: queued("close"),
    identify: queued("identify"),
    reset: queued("reset"),
    _boot: boot,
  } as TandemGlobal;

  launcher.addEventListener("click", () => {
    if (boot.onLauncher) boot.onLauncher();
    else void window.Tandem?.open();
  });

  void config.then((c) => {
    if (!c) return; // not allowed on this page, or the server is away: no widget at all
    host.style.setProperty("--tandem-primary", c.theme.primaryColor);
    if (c.theme.position === "bottom-left") host.classList.add("left");
    if (document.body) document.body.append(host);
    else document.addEventListener("DOMContentLoaded", () => document.body.append(host));
    if (state.open) load();
    else if ("requestIdleCallback" in window) requestIdleCallback(load, { timeout: 4000 });
    else setTimeout(load, 2000);
  });
}

start();
