/**
 * Readable text out of HTML, as Markdown-like lines the chunker understands: `#` headings (h1–h6),
 * paragraphs between blank lines, list items as `- item`, tables as `| a | b |` rows with a rule
 * under the first. Page furniture is dropped: scripts, styles, navigation, headers and footers,
 * forms, asides, hidden elements. Parsed with htmlparser2 (no DOM, no script ever runs).
 */
import { type ChildNode, type Element, isTag, isText } from "domhandler";
import { parseDocument } from "htmlparser2";

const SKIP = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "nav",
  "footer",
  "header",
  "aside",
  "form",
  "button",
  "select",
  "svg",
  "canvas",
  "iframe",
  "object",
  "head",
]);
const BLOCK = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "blockquote",
  "pre",
  "ul",
  "ol",
  "dl",
  "dt",
  "dd",
  "figure",
  "figcaption",
  "address",
  "details",
  "summary",
  "hr",
]);

export interface HtmlText {
  text: string;
  /** The document's `<title>`, or its first `<h1>`. */
  title: string | null;
}

export function htmlToText(html: string): HtmlText {
  const doc = parseDocument(html, { decodeEntities: true });
  const out: string[] = [];
  let line = "";
  const flush = () => {
    const clean = line.replace(/[ \t\u00a0]+/g, " ").trim();
    if (clean) out.push(clean);
    line = "";
  };
  const paragraph = () => {
    flush();
    if (out.length && out[out.length - 1] !== "") out.push("");
  };
  const inline = (nodes: ChildNode[]): string => {
    let s = "";
    for (const node of nodes) {
      if (isText(node)) s += node.data;
      else if (isTag(node) && !skipped(node)) s += node.name === "br" ? " " : inline(node.children);
    }
    return s.replace(/\s+/g, " ").trim();
  };
  const walk = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (isText(node)) {
        line += node.data.replace(/\s+/g, " ");
        continue;
      }
      if (!isTag(node) || skipped(node)) continue;
      const name = node.name;
      const heading = /^h([1-6])$/.exec(name);
      if (heading) {
        paragraph();
        const text = inline(node.children);
        if (text) out.push(`${"#".repeat(Number(heading[1]))} ${text}`, "");
      } else if (name === "br") {
        flush();
      } else if (name === "li") {
        flush();
        const text = inline(node.children);
        if (text) out.push(`- ${text}`);
      } else if (name === "table") {
        paragraph();
        out.push(...tableLines(node, inline), "");
      } else if (BLOCK.has(name)) {
        paragraph();
        walk(node.children);
        paragraph();
      } else {
        walk(node.children);
      }
    }
  };
  walk(doc.children);
  flush();
  const text = out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  const titleNode =
    findFirst(doc.children, (e) => e.name === "title") ?? findFirst(doc.children, (e) => e.name === "h1");
  const title = titleNode ? inline(titleNode.children) || null : null;
  return { text, title };
}

function skipped(node: Element): boolean {
  if (SKIP.has(node.name)) return true;
  const attrs = node.attribs;
  if ("hidden" in attrs || attrs["aria-hidden"] === "true") return true;
  if (/display\s*:\s*none/i.test(attrs.style ?? "")) return true;
  return attrs.role === "navigation" || attrs.role === "banner" || attrs.role === "contentinfo";
}

function tableLines(table: Element, inline: (nodes: ChildNode[]) => string): string[] {
  const rows: string[][] = [];
  const collect = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      if (node.name === "tr") {
        rows.push(
          node.children
            .filter((c): c is Element => isTag(c) && (c.name === "td" || c.name === "th"))
            .map((c) => inline(c.children).replace(/\|/g, "/")),
        );
      } else if (node.name !== "table") collect(node.children);
    }
  };
  collect(table.children);
  const real = rows.filter((r) => r.some(Boolean));
  if (real.length === 0) return [];
  const width = Math.max(...real.map((r) => r.length));
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => r[i] ?? "").join(" | ")} |`;
  return [line(real[0]!), `| ${Array(width).fill("---").join(" | ")} |`, ...real.slice(1).map(line)];
}

function findFirst(nodes: ChildNode[], test: (e: Element) => boolean): Element | null {
  for (const node of nodes) {
    if (!isTag(node)) continue;
    if (test(node)) return node;
    const inner = findFirst(node.children, test);
    if (inner) return inner;
  }
  return null;
}
