import { createHash } from "node:crypto";
import type { UrlSourceSettings } from "@tandem/contracts";
import { chunks, documentFiles, documents, knowledgeSources } from "@tandem/db";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { DomainError, isDomainError } from "../errors.ts";
import { htmlToText } from "../extract/html-to-text.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable } from "../jobs/errors.ts";
import { enqueueIngest } from "./enqueue-ingest.ts";
import { type FetchedPage, fetchWebPage } from "./fetch-web-page.ts";
import { publishKnowledgeUpdate } from "./publish-knowledge-update.ts";
import { parseSitemap } from "./sitemap.ts";

/**
 * Fetches a URL source: its one page, or the pages of its sitemap (sitemap indexes followed
 * `maxDepth` deep, pages of the sitemap's own host only, at most `maxPages`). Each page is a document
 * with its `sourceUrl` and its fetched bytes kept for re-ingest; on a re-sync a page whose bytes
 * changed (checksum) is ingested again, a new one added, and one no longer listed removed. A page
 * that cannot be fetched is a `failed` document with the reason; a sitemap (or single page) that
 * cannot be fetched fails the source, after retries when the failure may pass (timeouts, 5xx).
 */
export const syncUrlSource = defineJob({
  name: "sync-url-source",
  schema: z.object({ sourceId: z.string().min(1), requestedAt: z.number().int() }),
  retry: { attempts: 3 },
  concurrency: 2,
  workspaceConcurrency: 1,
  handle: async ({ sourceId }, ctx: JobContext<AppJobDeps>) => {
    const [source] = await ctx.db
      .select()
      .from(knowledgeSources)
      .where(and(eq(knowledgeSources.id, sourceId), isNull(knowledgeSources.deletedAt)));
    const settings = (source?.metadata as { url?: UrlSourceSettings } | undefined)?.url;
    if (source?.type !== "url" || !settings) return;
    const policy = ctx.config.outbound;
    const setSource = async (set: Partial<typeof knowledgeSources.$inferInsert>) => {
      await ctx.db
        .update(knowledgeSources)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(knowledgeSources.id, sourceId));
      await publishKnowledgeUpdate(ctx, { workspaceId: source.workspaceId, sourceId });
    };
    await setSource({ status: "processing", error: null });

    let pages: { url: string; page?: FetchedPage; error?: string }[];
    try {
      if (settings.mode === "page") {
        const page = await fetchWebPage(policy, settings.url, { signal: ctx.signal });
        pages = [{ url: settings.url, page }];
      } else {
        pages = (await sitemapPages(policy, settings, ctx.signal)).map((url) => ({ url }));
      }
    } catch (error) {
      // Timeouts, 5xx and 429 may pass (`retryable`); a refusal, a 404 or too many redirects will not.
      if (isRetryable(error) && ctx.attempt < ctx.maxAttempts) throw error;
      ctx.log.warn({ err: error, sourceId }, "a URL source could not be fetched");
      await setSource({
        status: "failed",
        error: isDomainError(error) ? error.message : "The address could not be fetched.",
      });
      return;
    }

    const existing = await ctx.db
      .select()
      .from(documents)
      .where(and(eq(documents.sourceId, sourceId), isNull(documents.deletedAt)));
    const byUrl = new Map(existing.map((d) => [d.sourceUrl ?? "", d]));
    const listed = new Set<string>();
    const toIngest: { id: string; workspaceId: string }[] = [];
    for (const entry of pages) {
      listed.add(entry.url);
      let page = entry.page;
      let error: string | null = null;
      if (!page) {
        try {
          page = await fetchWebPage(policy, entry.url, { signal: ctx.signal });
        } catch (e) {
          if (!isDomainError(e)) throw e;
          error = e.message;
        }
      }
      const before = byUrl.get(entry.url);
      if (!page) {
        const values = { status: "failed" as const, error, progress: 0, updatedAt: new Date() };
        if (before) await ctx.db.update(documents).set(values).where(eq(documents.id, before.id));
        else {
          await ctx.db.insert(documents).values({
            workspaceId: source.workspaceId,
            sourceId,
            title: entry.url,
            sourceUrl: entry.url,
            category: null,
            ...values,
          });
        }
        continue;
      }
      const checksum = createHash("sha256").update(page.bytes).digest("hex");
      if (before && before.checksum === checksum && before.status !== "failed") continue;
      const file = { name: fileNameOf(page), mimeType: page.contentType || null, bytes: page.bytes };
      const title = titleOf(page);
      const id = await ctx.db.transaction(async (tx) => {
        let documentId = before?.id;
        if (documentId) {
          await tx
            .update(documents)
            .set({ title, checksum, sizeBytes: page.bytes.length, mimeType: file.mimeType, updatedAt: new Date() })
            .where(eq(documents.id, documentId));
          await tx.delete(documentFiles).where(eq(documentFiles.documentId, documentId));
        } else {
          const [row] = await tx
            .insert(documents)
            .values({
              workspaceId: source.workspaceId,
              sourceId,
              title,
              sourceUrl: entry.url,
              checksum,
              sizeBytes: page.bytes.length,
              mimeType: file.mimeType,
              status: "pending",
            })
            .returning({ id: documents.id });
          documentId = row!.id;
        }
        await tx.insert(documentFiles).values({ documentId, workspaceId: source.workspaceId, ...file });
        return documentId;
      });
      toIngest.push({ id, workspaceId: source.workspaceId });
    }

    const gone = existing.filter((d) => d.sourceUrl && !listed.has(d.sourceUrl)).map((d) => d.id);
    if (gone.length) {
      await ctx.db.transaction(async (tx) => {
        const now = new Date();
        await tx.update(documents).set({ deletedAt: now, updatedAt: now }).where(inArray(documents.id, gone));
        await tx.delete(chunks).where(inArray(chunks.documentId, gone));
        await tx.delete(documentFiles).where(inArray(documentFiles.documentId, gone));
      });
    }
    for (const document of toIngest) await enqueueIngest(ctx, document);
    await setSource({ status: "ready", error: null, lastSyncedAt: new Date() });
  },
});

async function sitemapPages(
  policy: AppJobDeps["config"]["outbound"],
  settings: UrlSourceSettings,
  signal: AbortSignal,
): Promise<string[]> {
  const host = new URL(settings.url).host;
  const pages: string[] = [];
  const seen = new Set<string>();
  const visit = async (url: string, depth: number) => {
    if (seen.has(url) || pages.length >= settings.maxPages) return;
    seen.add(url);
    const fetched = await fetchWebPage(policy, url, { signal });
    const { pages: locs, sitemaps } = parseSitemap(new TextDecoder().decode(fetched.bytes));
    if (locs.length === 0 && sitemaps.length === 0 && depth === 0) {
      throw Object.assign(
        new DomainError("url_fetch_failed", `${url}: this is not a sitemap (no <url> or <sitemap> entries)`),
        {
          retryable: false,
        },
      );
    }
    for (const loc of locs) {
      if (pages.length >= settings.maxPages) return;
      const page = sameHost(loc, host);
      if (page && !pages.includes(page)) pages.push(page);
    }
    if (depth >= settings.maxDepth) return;
    for (const child of sitemaps) {
      const next = sameHost(child, host);
      if (next) await visit(next, depth + 1);
    }
  };
  await visit(settings.url, 0);
  return pages;
}

function sameHost(raw: string, host: string): string | null {
  try {
    const url = new URL(raw);
    url.hash = "";
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === host ? url.href : null;
  } catch {
    return null;
  }
}

function titleOf(page: FetchedPage): string {
  if (/html/.test(page.contentType)) {
    const title = htmlToText(new TextDecoder().decode(page.bytes.subarray(0, 256 * 1024))).title;
    if (title) return title.slice(0, 200);
  }
  const url = new URL(page.url);
  return `${url.host}${url.pathname}`.slice(0, 200);
}

/** A name whose extension tells text kinds apart (the bytes decide the rest). */
function fileNameOf(page: FetchedPage): string {
  const base = new URL(page.url).pathname.split("/").filter(Boolean).pop() ?? "index";
  const ext = /html/.test(page.contentType)
    ? ".html"
    : page.contentType === "application/pdf"
      ? ".pdf"
      : page.contentType === "text/markdown"
        ? ".md"
        : ".txt";
  return `${base.replace(/\.[a-z0-9]+$/i, "").slice(0, 100) || "index"}${ext}`;
}
