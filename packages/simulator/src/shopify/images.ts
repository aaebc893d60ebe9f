/**
 * Product pictures the simulator serves itself (`/shopify/_cdn/{name}.svg`), so the demo catalog has
 * images with no internet: a coloured square with the product's name. The colour derives from the name.
 */
const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

export function productImageSvg(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  const label = name
    .replace(/\.svg$/, "")
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 800 800">
<rect width="800" height="800" fill="hsl(${hue},45%,82%)"/>
<circle cx="400" cy="340" r="170" fill="hsl(${hue},40%,62%)"/>
<text x="400" y="640" font-family="Helvetica,Arial,sans-serif" font-size="56" text-anchor="middle" fill="hsl(${hue},45%,22%)">${escapeXml(label)}</text>
</svg>`;
}
