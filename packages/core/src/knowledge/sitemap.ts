import { type ChildNode, type Element, isTag, isText } from "domhandler";
import { parseDocument } from "htmlparser2";

/** The `<loc>`s of a sitemap: pages (`<urlset><url>`) and, in a sitemap index, other sitemaps (`<sitemapindex><sitemap>`). */
export function parseSitemap(xml: string): { pages: string[]; sitemaps: string[] } {
  const doc = parseDocument(xml, { xmlMode: true });
  const pages: string[] = [];
  const sitemaps: string[] = [];
  const locOf = (entry: Element) => {
    const loc = entry.children.find((c): c is Element => isTag(c) && localName(c) === "loc");
    return loc ? textOf(loc.children).trim() : "";
  };
  const walk = (nodes: ChildNode[]) => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      const name = localName(node);
      if (name === "url" || name === "sitemap") {
        const loc = locOf(node);
        if (loc) (name === "url" ? pages : sitemaps).push(loc);
      } else walk(node.children);
    }
  };
  walk(doc.children);
  return { pages, sitemaps };
}

const localName = (e: Element) => e.name.replace(/^.*:/, "").toLowerCase();
const textOf = (nodes: ChildNode[]): string =>
  nodes.map((n) => (isText(n) ? n.data : isTag(n) ? textOf(n.children) : "")).join("");
