/**
 * The widget bundle (one IIFE, loaded by loader.ts): the chat panel inside the loader's shadow root.
 * It takes over `window.Tandem` (running the calls queued so far), shows the chatbot's name, welcome
 * message and suggested questions, streams answers, shows agents' replies live (Socket.IO, with an
 * HTTP catch-up after every reconnect), keeps the session in localStorage across reloads and pages,
 * and refreshes the visitor token at two thirds of its life.
 */
import type {
  PublicChatAnswer,
  PublicIdentifyInput,
  PublicMessageDto,
  PublicWidgetConfig,
  VisitorTokenDto,
} from "@tandem/contracts/public-chat";
import { PUBLIC_CHAT_LIMITS } from "@tandem/contracts/public-chat-wire";
import { Api, ApiError } from "./api.ts";
import { addCss, focusables, h } from "./dom.ts";
import { format, LANGUAGES, pickLanguage, type Strings } from "./i18n.ts";
import { renderMarkdown } from "./markdown.ts";
import { Realtime } from "./realtime.ts";
import { type Boot, readState, type TandemMethod, type VisitorState, writeState } from "./shared.ts";
import { PANEL_CSS } from "./styles.ts";

type Role = PublicMessageDto["role"];

interface MessageView {
  el: HTMLLIElement;
  bubble: HTMLElement;
  role: Role;
  text: string;
  /** The server's id; null until the server confirms the message. */
  id: string | null;
  /** Shown before the server confirmed it (our own message, a streamed answer): adopted by id later. */
  provisional: boolean;
  clientMessageId?: string;
  feedback?: HTMLElement;
  cards?: HTMLElement;
}

const ICON_CLOSE = "\u2715";
const ICON_NEW = "\u21bb";

function newClientMessageId(): string {
  return `c_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

class Widget {
  private readonly t: Strings;
  private readonly api: Api;
  private state: VisitorState;
  private realtime: Realtime | null = null;
  private readonly views = new Map<string, MessageView>();
  private streaming: MessageView | null = null;
  private lastId: string | null = null;
  private unread = 0;
  private isOpen = false;
  private humanActive = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private typingSent = false;

  private readonly panel: HTMLElement;
  private readonly log: HTMLOListElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly suggestions: HTMLElement;
  private readonly typingLine: HTMLElement;
  private readonly live: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly handoffBar: HTMLElement;
  private readonly notice: HTMLElement;

  constructor(
    private readonly boot: Boot,
    private readonly config: PublicWidgetConfig,
  ) {
    this.t = LANGUAGES[pickLanguage(config.language, navigator.language)]!;
    this.state = readState(boot.chatbotId);
    this.api = new Api(boot.base, boot.chatbotId, () => this.refreshToken());
    const t = this.t;

    const titleId = "tandem-title";
    this.subtitle = h("p", { class: "subtitle" });
    this.log = h("ol", { class: "log", "aria-label": t.messages, tabindex: "0" });
    this.typingLine = h("div", { class: "typing", "aria-hidden": "true" });
    this.live = h("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    this.suggestions = h("div", { class: "suggestions", role: "group", "aria-label": t.suggestions });
    this.notice = h("p", { class: "notice", role: "status" });
    const handoff = h("button", { type: "button", class: "link" }, t.talkToPerson);
    handoff.addEventListener("click", () => void this.requestHandoff());
    this.handoffBar = h("div", { class: "bar" }, handoff);
    this.input = h("textarea", {
      rows: "1",
      "aria-label": t.messageInput,
      placeholder: t.messageInput,
      maxlength: String(PUBLIC_CHAT_LIMITS.messageLength),
    });
    this.sendButton = h("button", { type: "submit", class: "send" }, t.send);
    const form = h("form", { class: "composer" }, this.input, this.sendButton);
    const newButton = h(
      "button",
      { type: "button", class: "icon", "aria-label": t.newConversation, title: t.newConversation },
      ICON_NEW,
    );
    const closeButton = h(
      "button",
      { type: "button", class: "icon", "aria-label": t.closeChat, title: t.closeChat },
      ICON_CLOSE,
    );
    this.panel = h(
      "div",
      {
        class: "panel",
        role: "dialog",
        "aria-modal": "true",
        "aria-labelledby": titleId,
        hidden: true,
        id: "tandem-panel",
      },
      h(
        "div",
        { class: "header" },
        h("div", { class: "titles" }, h("h2", { class: "title", id: titleId }, config.name), this.subtitle),
        newButton,
        closeButton,
      ),
      this.log,
      this.typingLine,
      this.suggestions,
      this.notice,
      this.handoffBar,
      form,
      this.live,
    );

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => {
      this.input.style.height = "auto";
      this.input.style.height = `${this.input.scrollHeight}px`;
      this.signalTyping();
    });
    closeButton.addEventListener("click", () => this.close());
    newButton.addEventListener("click", () => {
      if (confirm(t.newConversationConfirm)) void this.reset();
    });
    this.panel.addEventListener("keydown", (event) => this.onKeydown(event));
  }

  start(): void {
    const { boot, config } = this;
    const theme = config.theme;
    boot.host.style.setProperty("--tandem-primary", theme.primaryColor);
    boot.host.style.setProperty("--tandem-font", theme.fontFamily);
    boot.host.style.setProperty("--tandem-radius", theme.borderRadius);
    boot.host.classList.toggle("left", theme.position === "bottom-left");
    addCss(boot.root, PANEL_CSS);
    // The site owner's CSS, after ours so it wins; inside the shadow root it reaches nothing outside.
    if (config.customCss) addCss(boot.root, config.customCss);
    boot.root.append(this.panel);
    boot.launcher.setAttribute("aria-controls", "tandem-panel");

    const visitor = config.visitor!;
    const resumed = visitor.sessionId === this.state.sessionId;
    if (!resumed) this.state = { open: this.state.open };
    this.adoptVisitor(visitor);
    this.renderIntro();
    this.updateSubtitle();
    this.updateBadge();

    this.installApi();
    boot.onLauncher = () => (this.isOpen ? this.close() : this.open());
    this.watchNavigation();
    if (resumed && this.state.lastMessageId) {
      void this.loadHistory().then(() => this.connect());
    }
    if (this.state.open) this.open(false);
  }

  // ── JS API ─────────────────────────────────────────────────────────────────────────────────────

  private installApi(): void {
    const tandem = window.Tandem!;
    const api = {
      // `{ focus: false }`: open without taking the focus from the page (the dashboard's preview).
      open: (options?: { focus?: boolean }) => this.open(options?.focus !== false),
      close: () => this.close(),
      identify: (input: PublicIdentifyInput) => this.api.identify(input),
      reset: () => this.reset(),
    };
    Object.assign(tandem, api);
    for (const [method, args, resolve, reject] of this.boot.queue.splice(0)) {
      try {
        resolve((api[method as TandemMethod] as (...a: unknown[]) => unknown)(...args));
      } catch (error) {
        reject(error);
      }
    }
  }

  open(focus = true): void {
    this.isOpen = true;
    this.panel.hidden = false;
    this.boot.host.classList.add("open");
    this.boot.launcher.setAttribute("aria-expanded", "true");
    this.state.open = true;
    this.markRead();
    this.connect();
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close(): void {
    if (!this.isOpen) return;
    // Focus goes back to the launcher when it was in the panel (not when the page's script closes it).
    const hadFocus = this.panel.contains(this.boot.root.activeElement);
    this.isOpen = false;
    this.panel.hidden = true;
    this.boot.host.classList.remove("open");
    this.boot.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.save();
    if (hadFocus) this.boot.launcher.focus();
  }

  /** A new session (`Tandem.reset()`, "new conversation", or a session the server no longer knows). */
  async reset(visitor?: VisitorTokenDto): Promise<void> {
    this.realtime?.close();
    this.realtime = null;
    this.streaming = null;
    this.views.clear();
    this.lastId = null;
    this.unread = 0;
    this.humanActive = false;
    this.state = { open: this.isOpen };
    this.log.replaceChildren();
    this.notice.textContent = "";
    const next = visitor ?? (await this.api.config(null)).visitor;
    if (next) this.adoptVisitor(next);
    this.renderIntro();
    this.updateSubtitle();
    this.updateBadge();
    if (this.isOpen) this.connect();
  }

  // ── Session and token ──────────────────────────────────────────────────────────────────────────

  private adoptVisitor(visitor: VisitorTokenDto): void {
    this.api.token = visitor.token;
    this.api.sessionId = visitor.sessionId;
    this.state.sessionId = visitor.sessionId;
    this.state.token = visitor.token;
    this.state.expiresAt = visitor.expiresAt;
    this.save();
    clearTimeout(this.refreshTimer);
    const life = Date.parse(visitor.expiresAt) - Date.now();
    const delay = Math.max(5_000, (life * 2) / 3);
    this.refreshTimer = setTimeout(() => {
      this.refreshToken().catch(() => {
        // The server is away: try again soon; a request in between refreshes on its 401.
        this.refreshTimer = setTimeout(() => void this.refreshToken().catch(() => undefined), 30_000);
      });
    }, delay);
  }

  /** A new token for the same session from the config endpoint (`X-Visitor-Session`); one at a time. */
  private refreshToken(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const config = await this.api.config(this.api.sessionId);
        if (!config.visitor) throw new ApiError(403, "origin_not_allowed", this.t.failed);
        if (config.visitor.sessionId !== this.api.sessionId) {
          // The server no longer knows this session: start over with the new one.
          await this.reset(config.visitor);
          return;
        }
        this.adoptVisitor(config.visitor);
        this.realtime?.tokenRefreshed(config.visitor.token);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private save(): void {
    writeState(this.boot.chatbotId, this.state);
  }

  // ── Realtime and history ───────────────────────────────────────────────────────────────────────

  private connect(): void {
    if (this.realtime) return;
    this.realtime = new Realtime(this.boot.origin, this.boot.prefix, () => this.api.token, {
      connected: () => {
        this.notice.textContent = "";
        this.emitPage();
        void this.catchUp();
      },
      disconnected: () => {
        this.typingLine.textContent = "";
      },
      message: (m) => this.receive(m),
      messageUpdated: (m) => this.receive(m),
      typing: (e) => {
        this.typingLine.textContent = e.typing
          ? format(this.t.typing, { name: e.name || (e.role === "BOT" ? this.config.name : "") }).trim()
          : "";
      },
      tokenExpired: () => this.refreshToken(),
    });
  }

  private async loadHistory(): Promise<void> {
    try {
      const { messages, humanActive } = await this.api.messages(null);
      this.humanActive = humanActive;
      // The badge counts what came after the last message seen with the panel open.
      const seen = this.state.lastSeenId;
      let afterSeen = !seen;
      for (const m of messages) {
        this.receive(m, afterSeen);
        if (m.id === seen) afterSeen = true;
      }
      this.updateSubtitle();
    } catch {
      // Shown as an empty conversation; the socket's catch-up tries again.
    }
  }

  /** Every message after the newest one here (what arrived while offline or on another page). */
  private async catchUp(): Promise<void> {
    if (!this.lastId && !this.state.lastMessageId) return;
    try {
      const { messages, humanActive } = await this.api.messages(this.lastId ?? this.state.lastMessageId ?? null);
      this.humanActive = humanActive;
      for (const m of messages) this.receive(m);
      this.updateSubtitle();
    } catch {
      this.notice.textContent = this.t.reconnecting;
    }
  }

  /** A message from the server (history, catch-up, socket): added once, updated after. */
  private receive(m: PublicMessageDto, countUnread = true): void {
    let view = this.views.get(m.id);
    if (!view) view = this.adopt(m);
    if (view) {
      if (m.text !== null && m.text !== view.text && view !== this.streaming) this.setText(view, m.text);
      if (view.feedback) this.showRating(view, m.feedback);
      this.addCards(view, m.products);
      return;
    }
    view = this.addView(m.role, m.text ?? "", m.id, m.author?.name ?? null);
    this.addAttachments(view, m.attachments);
    this.addCards(view, m.products);
    if (m.role === "BOT") this.addFeedback(view, m.feedback);
    this.confirmed(m.id);
    if (m.role === "USER") this.suggestions.hidden = true;
    else {
      if (m.role === "AGENT" && !this.humanActive) {
        this.humanActive = true;
        this.updateSubtitle();
      }
      this.announce(view);
      if (!this.isOpen && countUnread) {
        this.unread++;
        this.updateBadge();
      }
    }
    if (this.isOpen) this.markRead();
  }

  /** The server's copy of a message shown before it had an id: our own text, or the answer being streamed. */
  private adopt(m: PublicMessageDto): MessageView | undefined {
    let view: MessageView | undefined;
    if (m.role === "BOT" && this.streaming && !this.streaming.id) view = this.streaming;
    else {
      for (const el of this.log.children) {
        const v = (el as HTMLElement & { view?: MessageView }).view;
        if (v?.provisional && !v.id && v.role === m.role && v.text === m.text) {
          view = v;
          break;
        }
      }
    }
    if (!view) return undefined;
    this.setId(view, m.id);
    if (m.role === "BOT") this.addFeedback(view, m.feedback);
    return view;
  }

  private setId(view: MessageView, id: string): void {
    view.id = id;
    view.provisional = false;
    this.views.set(id, view);
    this.confirmed(id);
  }

  private confirmed(id: string): void {
    this.lastId = id;
    this.state.lastMessageId = id;
    this.save();
  }

  // ── Sending ────────────────────────────────────────────────────────────────────────────────────

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.streaming) return;
    this.input.value = "";
    this.input.style.height = "auto";
    void this.send(text);
  }

  private async send(text: string, retry?: MessageView): Promise<void> {
    if (this.streaming) return;
    this.suggestions.hidden = true;
    this.signalTyping(false);
    const user = retry ?? this.addView("USER", text, null, null, true);
    user.clientMessageId ??= newClientMessageId();
    user.el.classList.remove("failed");
    user.el.querySelector(".status")?.remove();
    const bot = this.addView("BOT", "", null, null, true);
    bot.bubble.replaceChildren(
      h("span", { class: "dots", role: "img", "aria-label": this.t.botTyping }, h("i"), h("i"), h("i")),
    );
    this.streaming = bot;
    this.sendButton.disabled = true;
    this.connect();
    let pending = false;
    try {
      await this.api.send(text, user.clientMessageId, {
        delta: (chunk) => {
          bot.text += chunk;
          if (pending) return;
          pending = true;
          requestAnimationFrame(() => {
            pending = false;
            if (this.streaming === bot) this.render(bot);
            this.scrollToEnd();
          });
        },
        completed: (answer: PublicChatAnswer) => {
          if (!user.id) this.setId(user, answer.messageId);
          if (answer.handoff) this.humanActive = true;
          if (answer.replyMessageId && answer.response) {
            bot.text = answer.response;
            this.render(bot);
            if (bot.id !== answer.replyMessageId) this.setId(bot, answer.replyMessageId);
            this.addCards(bot, answer.products);
            this.addFeedback(bot, null);
            this.announce(bot);
            if (!this.isOpen) {
              // Closed while the answer was being written: it is unread.
              this.unread++;
              this.updateBadge();
            }
          } else this.removeView(bot);
        },
        handoff: (_reason, message) => {
          this.humanActive = true;
          if (message) {
            bot.text = message;
            this.render(bot);
            this.announce(bot);
          } else this.removeView(bot);
        },
      });
    } catch (error) {
      this.removeView(bot);
      const reason = error instanceof ApiError && error.message ? error.message : this.t.failed;
      if (user.id) {
        // The server has the message (its copy came over the socket); only the answer broke off.
        // Whatever of it was stored arrives with the catch-up.
        this.notice.textContent = reason;
        void this.catchUp();
      } else {
        user.el.classList.add("failed");
        const retryButton = h("button", { type: "button", class: "link" }, this.t.retry);
        retryButton.addEventListener("click", () => void this.send(user.text, user));
        user.el.append(h("div", { class: "status", role: "alert" }, `${this.t.notSent} ${reason}`, retryButton));
      }
    } finally {
      if (this.streaming === bot) this.streaming = null;
      this.sendButton.disabled = false;
      this.updateSubtitle();
      this.markRead();
      this.scrollToEnd();
    }
  }

  /** `typing` to the server: true once when typing starts, false after 3 s without a key or on send. */
  private signalTyping(typing = true): void {
    clearTimeout(this.typingTimer);
    if (typing !== this.typingSent) {
      this.typingSent = typing;
      this.realtime?.typing(typing);
    }
    if (typing) this.typingTimer = setTimeout(() => this.signalTyping(false), 3_000);
  }

  private async requestHandoff(): Promise<void> {
    try {
      await this.api.handoff();
      this.humanActive = true;
      this.notice.textContent = this.t.handoffRequested;
      this.connect();
    } catch (error) {
      this.notice.textContent = error instanceof ApiError && error.message ? error.message : this.t.failed;
    }
    this.updateSubtitle();
  }

  private async rate(view: MessageView, rating: "helpful" | "not_helpful"): Promise<void> {
    if (!view.id) return;
    const before = view.feedback?.dataset.rating ?? null;
    this.showRating(view, rating);
    try {
      await this.api.feedback(view.id, rating);
      this.live.textContent = this.t.feedbackThanks;
    } catch {
      this.showRating(view, before as "helpful" | null);
      this.notice.textContent = this.t.failed;
    }
  }

  // ── Rendering ──────────────────────────────────────────────────────────────────────────────────

  private renderIntro(): void {
    const { config } = this;
    if (config.welcomeMessage) this.addView("BOT", config.welcomeMessage, null, null).el.classList.add("welcome");
    const questions = config.features.suggestedQuestions;
    this.suggestions.replaceChildren(
      ...questions.map((q) => {
        const chip = h("button", { type: "button", class: "chip" }, q);
        chip.addEventListener("click", () => void this.send(q));
        return chip;
      }),
    );
    this.suggestions.hidden = questions.length === 0 || this.views.size > 0;
  }

  private addView(
    role: Role,
    text: string,
    id: string | null,
    authorName: string | null,
    provisional = false,
  ): MessageView {
    const kind = role.toLowerCase();
    const label = role === "USER" ? this.t.you : role === "AGENT" ? (authorName ?? "") : this.config.name;
    const bubble = h("div", { class: "bubble" });
    const author = role === "AGENT" ? h("span", { class: "author" }, label) : h("span", { class: "sr" }, `${label}:`);
    const el = h("li", { class: `msg ${kind}` }, author, bubble);
    const view: MessageView = { el, bubble, role, text, id, provisional };
    (el as HTMLElement & { view?: MessageView }).view = view;
    this.render(view);
    if (id) this.views.set(id, view);
    this.log.append(el);
    this.scrollToEnd();
    return view;
  }

  private removeView(view: MessageView): void {
    view.el.remove();
    if (view.id) this.views.delete(view.id);
  }

  private setText(view: MessageView, text: string): void {
    view.text = text;
    this.render(view);
  }

  private render(view: MessageView): void {
    if (view.role === "USER") view.bubble.textContent = view.text;
    else view.bubble.replaceChildren(renderMarkdown(view.text));
  }

  /** Files and images of a message: links (http/https only, relative ones on the Tandem server). */
  private addAttachments(view: MessageView, attachments: PublicMessageDto["attachments"]): void {
    const items: HTMLElement[] = [];
    for (const attachment of attachments) {
      let url: URL;
      try {
        url = new URL(attachment.url, `${this.boot.base}/`);
      } catch {
        continue;
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") continue;
      const link = h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" });
      if (attachment.type === "image") {
        // The image's own size, when known, reserves its box: the thread does not jump as it loads.
        const size: Record<string, string> =
          attachment.width && attachment.height
            ? { width: String(attachment.width), height: String(attachment.height) }
            : {};
        link.append(h("img", { src: url.href, alt: attachment.name ?? "", loading: "lazy", ...size }));
      } else {
        link.className = "file";
        link.append(attachment.name ?? (decodeURIComponent(url.pathname.split("/").pop() ?? "") || url.href));
        if (attachment.size) link.append(h("span", { class: "size" }, ` · ${formatSize(attachment.size)}`));
      }
      items.push(link);
    }
    if (items.length) view.bubble.after(h("div", { class: "attachments" }, ...items));
  }

  /**
   * The products a bot reply recommends, as cards under it (once): image, title, price, "out of
   * stock", and a "View" link to the product page in a new tab. A row that scrolls sideways; every
   * link is reached with Tab, and focusing one scrolls its card into view.
   */
  private addCards(view: MessageView, products: PublicMessageDto["products"] | undefined): void {
    if (view.cards || !products?.length) return;
    const web = (raw: string | null) => {
      if (!raw) return null;
      try {
        const url = new URL(raw);
        return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
      } catch {
        return null;
      }
    };
    const items = products.map((product) => {
      const image = web(product.imageUrl);
      const url = web(product.url);
      const name = product.variantTitle ? `${product.title} (${product.variantTitle})` : product.title;
      const body = h(
        "div",
        { class: "card-body" },
        h("div", { class: "card-title" }, name),
        h("div", { class: "card-price" }, product.priceText),
      );
      if (!product.available) body.append(h("div", { class: "card-stock" }, this.t.outOfStock));
      if (url) {
        body.append(
          h(
            "a",
            {
              class: "card-view",
              href: url,
              target: "_blank",
              rel: "noopener noreferrer",
              "aria-label": format(this.t.viewProductLabel, { name }),
            },
            this.t.viewProduct,
          ),
        );
      }
      const card = h("li", { class: product.available ? "card" : "card out" }, body);
      if (image) {
        const img = h("img", { src: image, alt: "", loading: "lazy", width: "168", height: "120" });
        // An image that does not load leaves the card without one, not a broken picture.
        img.addEventListener("error", () => img.remove());
        card.prepend(img);
      }
      return card;
    });
    view.cards = h("ul", { class: "cards", "aria-label": this.t.products }, ...items);
    if (view.feedback) view.feedback.before(view.cards);
    else view.el.append(view.cards);
    this.scrollToEnd();
  }

  private addFeedback(view: MessageView, rating: PublicMessageDto["feedback"]): void {
    if (view.feedback || !view.id) return;
    const up = h(
      "button",
      { type: "button", "aria-label": this.t.helpful, title: this.t.helpful, "aria-pressed": "false" },
      "\ud83d\udc4d",
    );
    const down = h(
      "button",
      { type: "button", "aria-label": this.t.notHelpful, title: this.t.notHelpful, "aria-pressed": "false" },
      "\ud83d\udc4e",
    );
    up.addEventListener("click", () => void this.rate(view, "helpful"));
    down.addEventListener("click", () => void this.rate(view, "not_helpful"));
    view.feedback = h("div", { class: "feedback" }, up, down);
    view.el.append(view.feedback);
    this.showRating(view, rating);
  }

  private showRating(view: MessageView, rating: PublicMessageDto["feedback"]): void {
    if (!view.feedback) return;
    if (rating) view.feedback.dataset.rating = rating;
    else delete view.feedback.dataset.rating;
    const [up, down] = Array.from(view.feedback.children);
    up?.setAttribute("aria-pressed", String(rating === "helpful"));
    down?.setAttribute("aria-pressed", String(rating === "not_helpful"));
  }

  private announce(view: MessageView): void {
    const who = view.role === "AGENT" ? (view.el.querySelector(".author")?.textContent ?? "") : this.config.name;
    this.live.textContent = `${who}: ${view.text}`;
  }

  private updateSubtitle(): void {
    const t = this.t;
    this.subtitle.textContent = this.humanActive
      ? t.personActive
      : this.config.agentsOnline
        ? t.agentsOnline
        : t.botAnswers;
    this.handoffBar.hidden = this.humanActive;
  }

  private markRead(): void {
    if (!this.isOpen) return;
    this.unread = 0;
    this.state.lastSeenId = this.lastId;
    this.save();
    this.updateBadge();
  }

  private updateBadge(): void {
    const { badge, launcher } = this.boot;
    badge.textContent = this.unread > 99 ? "99+" : String(this.unread);
    badge.hidden = this.unread === 0;
    const label = this.isOpen ? this.t.closeChat : this.t.openChat;
    launcher.setAttribute(
      "aria-label",
      this.unread ? `${label}, ${format(this.t.unread, { count: this.unread })}` : label,
    );
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  // ── Keyboard and navigation ────────────────────────────────────────────────────────────────────

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === "Escape") {
      event.preventDefault();
      this.close();
      return;
    }
    if (event.key !== "Tab") return;
    const items = focusables(this.panel);
    if (!items.length) return;
    const active = this.boot.root.activeElement;
    const index = items.indexOf(active as HTMLElement);
    const next = event.shiftKey
      ? index <= 0
        ? items.length - 1
        : index - 1
      : index === -1 || index === items.length - 1
        ? 0
        : index + 1;
    event.preventDefault();
    items[next]!.focus();
  }

  private emitPage(): void {
    this.realtime?.page(location.href, document.title);
  }

  /** The `page` event on history navigation too (single-page sites change pages with pushState). */
  private watchNavigation(): void {
    const emitSoon = () => setTimeout(() => this.emitPage(), 0);
    const push = history.pushState;
    history.pushState = function (this: History, ...args: Parameters<History["pushState"]>) {
      push.apply(this, args);
      emitSoon();
    };
    window.addEventListener("popstate", emitSoon);
  }
}

const boot = window.Tandem?._boot;
if (boot && !boot.onLauncher) {
  void boot.config.then((config) => {
    if (config?.visitor) new Widget(boot, config).start();
  });
}

/** 1.2 MB, 340 KB, 12 B. */
function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
