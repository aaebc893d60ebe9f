/**
 * The safe Markdown of bot and agent replies: paragraphs, bold, italics, inline and fenced code,
 * lists, and links (http, https and mailto only; they open in a new tab with rel=noopener noreferrer).
 * The text is parsed into a small tree and built with DOM calls — never innerHTML — so nothing in a
 * reply can become markup or script.
 */

export type Inline =
  | { type: "text"; text: string }
  | { type: "strong" | "em"; children: Inline[] }
  | { type: "code"; text: string }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "br" };

export type Block =
  | { type: "p"; children: Inline[] }
  | { type: "ul" | "ol"; items: Inline[][] }
  | { type: "pre"; text: string };

/** The URL when it is http(s) or mailto, else null (javascript:, data:, relative paths …). */
export function safeHref(raw: string): string | null {
  const url = raw.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*)$/;

export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ type: "p", children: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) {
      flush();
      const code: string[] = [];
      i++;
      while (i < lines.length && !FENCE.test(lines[i]!)) code.push(lines[i++]!);
      blocks.push({ type: "pre", text: code.join("\n") });
      continue;
    }
    const list = BULLET.test(line) ? "ul" : ORDERED.test(line) ? "ol" : null;
    if (list) {
      flush();
      const pattern = list === "ul" ? BULLET : ORDERED;
      const items: Inline[][] = [];
      while (i < lines.length && pattern.test(lines[i]!)) {
        items.push(parseInline(pattern.exec(lines[i]!)![1]!));
        i++;
      }
      i--;
      blocks.push({ type: list, items });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ type: "p", children: [{ type: "strong", children: parseInline(heading[1]!) }] });
      continue;
    }
    if (line.trim() === "") flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}

const BARE_URL = /^(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = "";
  const pushText = () => {
    if (plain) out.push({ type: "text", text: plain });
    plain = "";
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const c = text[i]!;
    if (c === "\n") {
      pushText();
      out.push({ type: "br" });
      i++;
      continue;
    }
    if (c === "\\" && i + 1 < text.length && /[\\`*_[\]()]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end > i + 1) {
        pushText();
        out.push({ type: "code", text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (c === "*" || c === "_") {
      const double = text[i + 1] === c;
      const marker = double ? c + c : c;
      const end = text.indexOf(marker, i + marker.length + 1);
      const inner = end === -1 ? "" : text.slice(i + marker.length, end);
      // `snake_case` words and `2 * 3` are not emphasis: the marker hugs its text.
      const opens = inner && !/^\s/.test(inner) && !/\s$/.test(inner) && !(c === "_" && /\w/.test(text[i - 1] ?? ""));
      if (opens) {
        pushText();
        out.push({ type: double ? "strong" : "em", children: parseInline(inner) });
        i = end + marker.length;
        continue;
      }
    }
    if (c === "[") {
      // One level of parentheses inside the URL (Wikipedia's `Foo_(bar)`) stays part of it.
      const link = /^\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/.exec(rest);
      if (link) {
        const href = safeHref(link[2]!);
        pushText();
        if (href) out.push({ type: "link", href, children: parseInline(link[1]!) });
        else out.push(...parseInline(link[1]!));
        i += link[0].length;
        continue;
      }
    }
    if (c === "h" && (i === 0 || /[\s(]/.test(text[i - 1]!))) {
      const bare = BARE_URL.exec(rest);
      const href = bare && safeHref(bare[1]!);
      if (bare && href) {
        pushText();
        out.push({ type: "link", href, children: [{ type: "text", text: bare[1]! }] });
        i += bare[1]!.length;
        continue;
      }
    }
    plain += c;
    i++;
  }
  pushText();
  return out;
}

function renderInline(parent: Node, nodes: Inline[]): void {
  for (const node of nodes) {
    if (node.type === "text") parent.appendChild(document.createTextNode(node.text));
    else if (node.type === "br") parent.appendChild(document.createElement("br"));
    else if (node.type === "code") {
      const code = document.createElement("code");
      code.textContent = node.text;
      parent.appendChild(code);
    } else if (node.type === "link") {
      const a = document.createElement("a");
      a.href = node.href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      renderInline(a, node.children);
      parent.appendChild(a);
    } else {
      const el = document.createElement(node.type);
      renderInline(el, node.children);
      parent.appendChild(el);
    }
  }
}

export function renderMarkdown(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(text)) {
    if (block.type === "pre") {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      code.textContent = block.text;
      pre.appendChild(code);
      fragment.appendChild(pre);
    } else if (block.type === "p") {
      const p = document.createElement("p");
      renderInline(p, block.children);
      fragment.appendChild(p);
    } else {
      const list = document.createElement(block.type);
      for (const item of block.items) {
        const li = document.createElement("li");
        renderInline(li, item);
        list.appendChild(li);
      }
      fragment.appendChild(list);
    }
  }
  return fragment;
}
