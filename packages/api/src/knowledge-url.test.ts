/**
 * URL sources against a local `node:http` server through the real job queue: one page, a sitemap
 * index within its page and depth limits (pages of other hosts ignored), a re-sync that re-reads
 * changed pages, adds new ones and removes gone ones, a redirect chain longer than 5 refused, the
 * size cap, and private addresses refused when `OUTBOUND_ALLOW_PRIVATE` does not allow them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AppJobDeps,
  appJobDeps,
  createDbJobQueue,
  createKnowledgeSource,
  DomainError,
  fetchWebPage,
  type JobQueue,
  JobRegistry,
  type Runtime,
  registerAllJobs,
  silentLogger,
} from "@tandem/core";
import { chunks, documents } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let queue: JobQueue;
let server: Server;
let base: string;
/** What the local site serves, changed by the tests. */
const site = new Map<string, { type: string; body: string | Buffer } | { redirect: string }>();

const page = (title: string, text: string) => ({
  type: "text/html; charset=utf-8",
  body: `<!doctype html><html><head><title>${title}</title></head><body><nav>Home | Shop</nav><main><h1>${title}</h1><p>${text}</p></main></body></html>`,
});
const urlset = (paths: string[]) => ({
  type: "application/xml",
  body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((p) => `<url><loc>${p.startsWith("http") ? p : base + p}</loc></url>`).join("")}</urlset>`,
});
const sitemapIndex = (paths: string[]) => ({
  type: "application/xml",
  body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${paths.map((p) => `<sitemap><loc>${base}${p}</loc></sitemap>`).join("")}</sitemapindex>`,
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const entry = site.get(req.url ?? "");
    if (!entry) {
      res.writeHead(404).end("not found");
    } else if ("redirect" in entry) {
      res.writeHead(302, { location: entry.redirect }).end();
    } else {
      res.writeHead(200, { "content-type": entry.type }).end(entry.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await createTestRuntime();
  queue = createDbJobQueue<AppJobDeps>({
    db: runtime.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(runtime),
    log: silentLogger,
    pollIntervalMs: 50,
  });
  runtime.queue = queue;
  await queue.start();
  app = createApp(runtime);
});
afterAll(async () => {
  await queue.stop({ timeoutMs: 5000 });
  await runtime.close();
  await new Promise((resolve) => server.close(resolve));
});

const db = () => runtime.database.db;

async function owner() {
  const ws = await createSignInWorkspace(runtime);
  const client = new TestClient(app);
  expect((await client.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
  return { ws, client };
}

async function settledSource(client: TestClient, id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = await (await client.get(`/api/v1/knowledge/sources/${id}`)).json();
    if (body.status === "ready" || body.status === "failed") return body;
    if (Date.now() > deadline) throw new Error(`source ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const liveDocuments = (sourceId: string) =>
  db()
    .select()
    .from(documents)
    .where(and(eq(documents.sourceId, sourceId), isNull(documents.deletedAt)));

describe("URL sources", () => {
  it("fetches one page into a document with its address and title, read as text without navigation", async () => {
    site.set("/returns", page("Returns policy", "Return any item within 30 days."));
    const { client } = await owner();
    const res = await client.request("POST", "/api/v1/knowledge/sources", {
      name: "Help centre",
      type: "url",
      url: { url: `${base}/returns` },
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({
      status: "processing",
      url: { url: `${base}/returns`, mode: "page", maxPages: 50 },
    });
    const source = await settledSource(client, created.id);
    expect(source).toMatchObject({ status: "ready", counts: { documents: 1, ready: 1 } });
    expect(source.lastSyncedAt).not.toBeNull();
    const docs = (await (await client.get(`/api/v1/knowledge/sources/${created.id}/documents`)).json()).data;
    expect(docs).toEqual([
      expect.objectContaining({
        title: "Returns policy",
        sourceUrl: `${base}/returns`,
        mimeType: "text/html",
        status: "ready",
      }),
    ]);
    const passages = (await (await client.get(`/api/v1/knowledge/documents/${docs[0].id}/chunks`)).json()).data;
    expect(passages).toEqual([
      expect.objectContaining({ headingPath: ["Returns policy"], content: "Return any item within 30 days." }),
    ]);
  });

  it("crawls a sitemap index within maxPages and maxDepth, same host only, and a re-sync follows the site's changes", async () => {
    site.set("/sitemap.xml", sitemapIndex(["/sitemap-a.xml", "/sitemap-b.xml"]));
    site.set("/sitemap-a.xml", urlset(["/a1", "http://elsewhere.example/x", "/a2"]));
    site.set("/sitemap-b.xml", urlset(["/b1", "/b2"]));
    for (const p of ["a1", "a2", "b1", "b2"]) site.set(`/${p}`, page(`Page ${p}`, `This is page ${p}.`));
    const { client } = await owner();
    const created = await (
      await client.request("POST", "/api/v1/knowledge/sources", {
        name: "Docs site",
        type: "url",
        url: { url: `${base}/sitemap.xml`, mode: "sitemap", maxPages: 3, maxDepth: 1 },
      })
    ).json();
    await settledSource(client, created.id);
    const first = await liveDocuments(created.id);
    expect(first.map((d) => d.sourceUrl).sort()).toEqual([`${base}/a1`, `${base}/a2`, `${base}/b1`]);
    const a2Chunk = (
      await db()
        .select()
        .from(chunks)
        .where(eq(chunks.documentId, first.find((d) => d.sourceUrl === `${base}/a2`)!.id))
    )[0]!;

    // The site changes: a1 is rewritten, b1 leaves the sitemap, b2 comes into the first three.
    site.set("/a1", page("Page a1", "Page a1 now says something new."));
    site.set("/sitemap-b.xml", urlset(["/b2"]));
    const sync = await client.request("POST", `/api/v1/knowledge/sources/${created.id}/sync`);
    expect(sync.status).toBe(202);
    // Wait until the sync ran and its documents settled.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const docs = await liveDocuments(created.id);
      const urls = docs.map((d) => d.sourceUrl).sort();
      if (urls.join() === [`${base}/a1`, `${base}/a2`, `${base}/b2`].join() && docs.every((d) => d.status === "ready"))
        break;
      if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(docs.map((d) => [d.sourceUrl, d.status]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await settledSource(client, created.id);
    const after = await liveDocuments(created.id);
    const contentOf = async (url: string) =>
      (
        await db()
          .select()
          .from(chunks)
          .where(eq(chunks.documentId, after.find((d) => d.sourceUrl === url)!.id))
      ).map((c) => c.content);
    expect(await contentOf(`${base}/a1`)).toEqual(["Page a1 now says something new."]);
    expect(await contentOf(`${base}/b2`)).toEqual(["This is page b2."]);
    // An unchanged page is not read again.
    const a2Now = (
      await db()
        .select()
        .from(chunks)
        .where(eq(chunks.documentId, after.find((d) => d.sourceUrl === `${base}/a2`)!.id))
    )[0]!;
    expect(a2Now.id).toBe(a2Chunk.id);
    // The page gone from the sitemap has no chunks left.
    const b1 = first.find((d) => d.sourceUrl === `${base}/b1`)!;
    expect(await db().select().from(chunks).where(eq(chunks.documentId, b1.id))).toEqual([]);
  });

  it("follows up to 5 redirects and refuses a longer chain with a reason on the source", async () => {
    for (let i = 0; i < 7; i++) site.set(`/hop${i}`, { redirect: `/hop${i + 1}` });
    site.set("/hop7", page("Far away", "You made it."));
    site.set("/near0", { redirect: "/near1" });
    site.set("/near1", { redirect: "/returns" });
    site.set("/returns", page("Returns policy", "Return any item within 30 days."));
    const { client } = await owner();
    const far = await (
      await client.request("POST", "/api/v1/knowledge/sources", {
        name: "Far",
        type: "url",
        url: { url: `${base}/hop0` },
      })
    ).json();
    const near = await (
      await client.request("POST", "/api/v1/knowledge/sources", {
        name: "Near",
        type: "url",
        url: { url: `${base}/near0` },
      })
    ).json();
    const farDone = await settledSource(client, far.id);
    expect(farDone).toMatchObject({ status: "failed", counts: { documents: 0 } });
    expect(farDone.error).toMatch(/more than 5 redirects/);
    expect(await settledSource(client, near.id)).toMatchObject({ status: "ready", counts: { ready: 1 } });
  });

  it("refuses private addresses unless allowed, pages past the size cap, and answers that do not come in time", async () => {
    const none = { allowPrivate: "none" } as const;
    const refused = await fetchWebPage(none, `${base}/returns`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe("url_not_allowed");
    // Also when saving the source, before anything is queued.
    const { ws } = await owner();
    const ctx = {
      db: db(),
      workspaceId: ws.workspace.id,
      actor: { type: "system" } as const,
      log: silentLogger,
      queue,
    };
    const saving = await createKnowledgeSource(
      ctx,
      { name: "Intranet", type: "url", url: { url: "http://10.1.2.3/wiki", mode: "page", maxPages: 1, maxDepth: 0 } },
      { config: { outbound: none } },
    ).catch((e: unknown) => e);
    expect((saving as DomainError).code).toBe("url_not_allowed");

    site.set("/huge", { type: "text/html", body: Buffer.alloc(64 * 1024, 0x61) });
    const huge = await fetchWebPage({ allowPrivate: "all" }, `${base}/huge`, { maxBytes: 32 * 1024 }).catch(
      (e: unknown) => e,
    );
    expect((huge as DomainError).message).toMatch(/larger than/);

    const slow = createServer(() => {});
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const late = await fetchWebPage(
      { allowPrivate: "all" },
      `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`,
      {
        timeoutMs: 300,
      },
    ).catch((e: unknown) => e);
    slow.closeAllConnections();
    slow.close();
    expect((late as DomainError).message).toMatch(/no answer within/);
    expect((late as { retryable?: boolean }).retryable).toBe(true);
  });
});
