import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { WIDGET_ASSETS } from "@tandem/contracts";

/**
 * The website widget's two files, built by apps/widget into its `dist/`: the small loader a site's
 * `<script>` tag fetches, and the widget bundle the loader injects on first open. Read once from disk
 * (the first request that finds both keeps them; while they are missing each request looks again, so
 * building while the server runs is enough), each with its gzip and ETag ready.
 *
 * The bundle is served under its content hash (`widget.{hash}.js`, cached for a year) and under
 * `widget.js` (cached briefly). In the loader, `WIDGET_ASSETS.bundlePlaceholder` is replaced with the
 * hashed name, so a loader that names its bundle through it gets the immutable one.
 */
export const DEFAULT_WIDGET_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../apps/widget/dist",
);

export interface WidgetFile {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

export interface WidgetBuild {
  loader: WidgetFile;
  bundle: WidgetFile;
  /** The bundle's content hash, as in `widget.{hash}.js`. */
  hash: string;
}

const file = (body: Buffer): WidgetFile => ({
  body,
  gzip: gzipSync(body, { level: 9 }),
  etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
});

export function widgetAssets(dir: string = DEFAULT_WIDGET_DIST): () => WidgetBuild | null {
  let build: WidgetBuild | null = null;
  return () => {
    if (build) return build;
    let loader: Buffer;
    let bundle: Buffer;
    try {
      loader = readFileSync(path.join(dir, "loader.js"));
      bundle = readFileSync(path.join(dir, "widget.js"));
    } catch {
      return null;
    }
    const hash = createHash("sha256").update(bundle).digest("hex").slice(0, 16);
    const named = Buffer.from(loader.toString("utf8").replaceAll(WIDGET_ASSETS.bundlePlaceholder, `widget.${hash}.js`));
    build = { loader: file(named), bundle: file(bundle), hash };
    return build;
  };
}
