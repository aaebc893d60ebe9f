import { randomUUID } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { createRoute } from "@hono/zod-openapi";
import {
  CreateFaqEntryInput,
  CreateKnowledgeSourceInput,
  CreateTextDocumentInput,
  FaqEntryDto,
  FaqEntryListResponse,
  FaqImportQuery,
  FaqImportResponse,
  KNOWLEDGE_LIMITS,
  KnowledgeChunkListResponse,
  KnowledgeDocumentDto,
  KnowledgeDocumentListQuery,
  KnowledgeDocumentListResponse,
  KnowledgeIdParam,
  KnowledgeSourceDto,
  KnowledgeSourceListQuery,
  KnowledgeSourceListResponse,
  UpdateFaqEntryInput,
  UpdateKnowledgeDocumentInput,
  UpdateKnowledgeSourceInput,
  UploadDocumentsFields,
  UploadDocumentsResponse,
} from "@tandem/contracts";
import {
  createFaqEntry,
  createKnowledgeSource,
  createTextDocument,
  DomainError,
  deleteDocument,
  deleteKnowledgeSource,
  exportFaqCsv,
  getDocument,
  getKnowledgeSource,
  getKnowledgeSourceInWorkspace,
  importFaqCsv,
  listDocumentChunks,
  listDocuments,
  listFaqEntries,
  listKnowledgeSources,
  reingestDocument,
  syncKnowledgeSource,
  updateDocument,
  updateFaqEntry,
  updateKnowledgeSource,
  uploadDocuments,
} from "@tandem/core";
import type { Context } from "hono";
import { receiveUploads } from "../multipart-uploads.ts";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

const TAG = ["knowledge"];
const UPLOAD_FIELDS = ["category", "documentType", "tags"] as const;

/**
 * The knowledge base (docs/knowledge.md): sources shared by the workspace or owned by one chatbot,
 * their documents (uploaded files, typed text, fetched pages) and FAQ entries. Every member with
 * `chatbots.read` reads; OWNER and ADMIN (`knowledge.manage`) change it, audited. Uploads stream to
 * `DATA_DIR` and are deleted once stored in the database; reading them is the `ingest-document` job.
 */
export function knowledgeRoutes() {
  const app = createRouter();

  // GET /api/v1/knowledge/sources — the workspace's sources, `?type=`, `?chatbotId=` (its own and the shared)
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/sources",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { query: KnowledgeSourceListQuery },
      responses: { 200: json(KnowledgeSourceListResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listKnowledgeSources(c.get("ctx"), c.req.valid("query")), 200),
  );

  // POST /api/v1/knowledge/sources — a document, FAQ, text or URL source
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/sources",
      tags: TAG,
      ...permit("knowledge.manage"),
      description:
        "A `url` source is checked against the outbound policy at once (400 `url_not_allowed`) and fetched in the background (`sync-url-source`).",
      request: jsonBody(CreateKnowledgeSourceInput),
      responses: { 201: json(KnowledgeSourceDto, "Created"), ...errors(400, 401, 403) },
    }),
    async (c) =>
      c.json(await createKnowledgeSource(c.get("ctx"), c.req.valid("json"), { config: c.get("runtime").config }), 201),
  );

  // GET /api/v1/knowledge/sources/{id} — one source with its status, counts and progress
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/sources/{id}",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: KnowledgeIdParam },
      responses: { 200: json(KnowledgeSourceDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getKnowledgeSource(c.get("ctx"), c.req.valid("param")), 200),
  );

  // PATCH /api/v1/knowledge/sources/{id} — rename, recategorise, move between a chatbot and the workspace, change a URL
  app.openapi(
    createRoute({
      method: "patch",
      path: "/knowledge/sources/{id}",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam, ...jsonBody(UpdateKnowledgeSourceInput) },
      responses: { 200: json(KnowledgeSourceDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await updateKnowledgeSource(
          c.get("ctx"),
          { ...c.req.valid("json"), id: c.req.valid("param").id },
          { config: c.get("runtime").config },
        ),
        200,
      ),
  );

  // DELETE /api/v1/knowledge/sources/{id} — the source, its documents, chunks and embeddings
  app.openapi(
    createRoute({
      method: "delete",
      path: "/knowledge/sources/{id}",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam },
      responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404) },
    }),
    async (c) => {
      await deleteKnowledgeSource(c.get("ctx"), c.req.valid("param"));
      return c.body(null, 204);
    },
  );

  // POST /api/v1/knowledge/sources/{id}/sync — fetch a URL source again, or re-read every document
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/sources/{id}/sync",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam },
      responses: { 202: json(KnowledgeSourceDto, "Queued"), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await syncKnowledgeSource(c.get("ctx"), c.req.valid("param")), 202),
  );

  // GET /api/v1/knowledge/sources/{id}/documents — its documents, newest first
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/sources/{id}/documents",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: KnowledgeIdParam, query: KnowledgeDocumentListQuery },
      responses: { 200: json(KnowledgeDocumentListResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await listDocuments(c.get("ctx"), { sourceId: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );

  // POST /api/v1/knowledge/sources/{id}/documents — upload files (multipart `files`)
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/sources/{id}/documents",
      tags: TAG,
      ...permit("knowledge.manage"),
      description: `Multipart form: up to ${KNOWLEDGE_LIMITS.filesPerUpload} \`files\` (PDF, DOCX, TXT, Markdown, HTML, CSV, PNG / JPEG read by OCR; the type is read from the bytes), optional \`category\`, \`documentType\` and \`tags\` (comma-separated) for all of them. Answers 202 with the documents, \`pending\`. 413 \`file_too_large\` past \`KNOWLEDGE_MAX_FILE_MB\`; 415 \`unsupported_file_type\` names the file.`,
      request: {
        params: KnowledgeIdParam,
        body: {
          required: true,
          content: {
            // A plain schema, not zod: the route streams the body itself.
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["files"],
                properties: {
                  files: {
                    type: "array",
                    items: { type: "string", format: "binary" },
                    maxItems: KNOWLEDGE_LIMITS.filesPerUpload,
                  },
                  category: { type: "string" },
                  documentType: { type: "string" },
                  tags: { type: "string", description: "comma-separated" },
                },
              },
            },
          },
        },
      },
      responses: { 202: json(UploadDocumentsResponse, "Queued"), ...errors(400, 401, 403, 404, 413, 415) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { id } = c.req.valid("param");
      // Not found before a byte of the body is stored.
      await getKnowledgeSourceInWorkspace(ctx, id);
      const { dataDir, knowledge } = c.get("runtime").config;
      const dir = uploadDir(ctx.workspaceId);
      try {
        const upload = await receiveUploads(
          c.req.raw,
          { dataDir, dir },
          {
            fileField: "files",
            maxFiles: KNOWLEDGE_LIMITS.filesPerUpload,
            maxFileBytes: knowledge.maxFileBytes,
            fields: UPLOAD_FIELDS,
            maxFieldBytes: 4096,
          },
        );
        const fields = UploadDocumentsFields.parse({
          ...upload.fields,
          tags: upload.fields.tags
            ?.split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        });
        const data = await uploadDocuments(ctx, { ...fields, sourceId: id, files: upload.files }, { dataDir });
        return c.json({ data }, 202);
      } finally {
        await rm(path.join(dataDir, dir), { recursive: true, force: true });
      }
    },
  );

  // POST /api/v1/knowledge/sources/{id}/text — a document typed or pasted in
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/sources/{id}/text",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam, ...jsonBody(CreateTextDocumentInput) },
      responses: { 202: json(KnowledgeDocumentDto, "Queued"), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await createTextDocument(c.get("ctx"), { ...c.req.valid("json"), sourceId: c.req.valid("param").id }),
        202,
      ),
  );

  // GET /api/v1/knowledge/documents/{id} — one document with its status, progress, warnings
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/documents/{id}",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: KnowledgeIdParam },
      responses: { 200: json(KnowledgeDocumentDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getDocument(c.get("ctx"), c.req.valid("param")), 200),
  );

  // PATCH /api/v1/knowledge/documents/{id} — title, category, document type, tags
  app.openapi(
    createRoute({
      method: "patch",
      path: "/knowledge/documents/{id}",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam, ...jsonBody(UpdateKnowledgeDocumentInput) },
      responses: { 200: json(KnowledgeDocumentDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await updateDocument(c.get("ctx"), { ...c.req.valid("json"), id: c.req.valid("param").id }), 200),
  );

  // DELETE /api/v1/knowledge/documents/{id} — the document, its chunks and embeddings
  app.openapi(
    createRoute({
      method: "delete",
      path: "/knowledge/documents/{id}",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam },
      responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404) },
    }),
    async (c) => {
      await deleteDocument(c.get("ctx"), c.req.valid("param"));
      return c.body(null, 204);
    },
  );

  // POST /api/v1/knowledge/documents/{id}/reingest — read it again from its stored file or text
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/documents/{id}/reingest",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam },
      responses: { 202: json(KnowledgeDocumentDto, "Queued"), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await reingestDocument(c.get("ctx"), c.req.valid("param")), 202),
  );

  // GET /api/v1/knowledge/documents/{id}/chunks — its passages in order, with heading path, page and embeddings
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/documents/{id}/chunks",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: KnowledgeIdParam, query: KnowledgeDocumentListQuery },
      responses: { 200: json(KnowledgeChunkListResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await listDocumentChunks(
          c.get("ctx"),
          { id: c.req.valid("param").id, ...c.req.valid("query") },
          { vector: c.get("runtime").database.vector },
        ),
        200,
      ),
  );

  // GET /api/v1/knowledge/sources/{id}/faq — an FAQ set's entries
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/sources/{id}/faq",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: KnowledgeIdParam, query: KnowledgeDocumentListQuery },
      responses: { 200: json(FaqEntryListResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await listFaqEntries(c.get("ctx"), { sourceId: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );

  // POST /api/v1/knowledge/sources/{id}/faq — add an entry
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/sources/{id}/faq",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam, ...jsonBody(CreateFaqEntryInput) },
      responses: { 201: json(FaqEntryDto, "Created"), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await createFaqEntry(c.get("ctx"), { ...c.req.valid("json"), sourceId: c.req.valid("param").id }), 201),
  );

  // PATCH /api/v1/knowledge/faq/{id} — change an entry
  app.openapi(
    createRoute({
      method: "patch",
      path: "/knowledge/faq/{id}",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam, ...jsonBody(UpdateFaqEntryInput) },
      responses: { 200: json(FaqEntryDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await updateFaqEntry(c.get("ctx"), { ...c.req.valid("json"), id: c.req.valid("param").id }), 200),
  );

  // DELETE /api/v1/knowledge/faq/{id} — remove an entry
  app.openapi(
    createRoute({
      method: "delete",
      path: "/knowledge/faq/{id}",
      tags: TAG,
      ...permit("knowledge.manage"),
      request: { params: KnowledgeIdParam },
      responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404) },
    }),
    async (c) => {
      await deleteDocument(c.get("ctx"), { id: c.req.valid("param").id, faq: true });
      return c.body(null, 204);
    },
  );

  // POST /api/v1/knowledge/sources/{id}/faq/import — entries from CSV (`text/csv` body or multipart `file`)
  app.openapi(
    createRoute({
      method: "post",
      path: "/knowledge/sources/{id}/faq/import",
      tags: TAG,
      ...permit("knowledge.manage"),
      description:
        "Header row naming `question` and `answer` (optionally `category`, `tags` separated by `;`); RFC 4180 quoting. Bad rows are reported by line and skipped; `mode=replace` changes nothing (400 listing the lines) unless every row is valid.",
      request: {
        params: KnowledgeIdParam,
        query: FaqImportQuery,
        body: {
          required: true,
          content: {
            "text/csv": { schema: { type: "string" } },
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["file"],
                properties: { file: { type: "string", format: "binary" } },
              },
            },
          },
        },
      },
      responses: { 200: json(FaqImportResponse), ...errors(400, 401, 403, 404, 413, 415) },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { id } = c.req.valid("param");
      await getKnowledgeSourceInWorkspace(ctx, id);
      const csv = await csvBody(c);
      return c.json(await importFaqCsv(ctx, { sourceId: id, csv, mode: c.req.valid("query").mode }), 200);
    },
  );

  // GET /api/v1/knowledge/sources/{id}/faq/export — the entries as CSV
  app.openapi(
    createRoute({
      method: "get",
      path: "/knowledge/sources/{id}/faq/export",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: KnowledgeIdParam },
      responses: {
        200: { description: "CSV (UTF-8 with BOM)", content: { "text/csv": { schema: { type: "string" } } } },
        ...errors(401, 403, 404),
      },
    }),
    async (c) => {
      const { name, csv } = await exportFaqCsv(c.get("ctx"), { sourceId: c.req.valid("param").id });
      return c.body(csv, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      });
    },
  );

  return app;
}

const uploadDir = (workspaceId: string) => path.join("knowledge-uploads", workspaceId, randomUUID());

/** The CSV of an import: the body (`text/csv`) or the multipart `file` part, UTF-8. */
async function csvBody(c: Context<AppEnv>): Promise<string> {
  const type = c.req.header("content-type") ?? "";
  const { dataDir, knowledge } = c.get("runtime").config;
  let bytes: Uint8Array;
  if (/^multipart\/form-data\b/i.test(type)) {
    const dir = uploadDir(c.get("ctx").workspaceId);
    try {
      const upload = await receiveUploads(
        c.req.raw,
        { dataDir, dir },
        { fileField: "file", maxFiles: 1, maxFileBytes: knowledge.maxFileBytes, fields: [], maxFieldBytes: 0 },
      );
      const [file] = upload.files;
      if (!file) {
        throw new DomainError("invalid_input", "Send the CSV in the `file` field", {
          details: [{ path: "file", message: "required" }],
        });
      }
      bytes = new Uint8Array(await readFile(path.join(dataDir, file.path)));
    } finally {
      await rm(path.join(dataDir, dir), { recursive: true, force: true });
    }
  } else if (/^(text\/csv|text\/plain|application\/csv)\b/i.test(type)) {
    bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > knowledge.maxFileBytes) {
      throw new DomainError("file_too_large", "The CSV is too large", {
        details: [{ path: "file", maxBytes: knowledge.maxFileBytes }],
      });
    }
  } else {
    throw new DomainError("unsupported_file_type", "Send the FAQ as text/csv, or as a multipart `file`", {
      details: [{ path: "body", declaredType: type || null }],
    });
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DomainError("unsupported_file_type", "The CSV is not UTF-8 text: save it as “CSV UTF-8”", {
      details: [{ path: "file", message: "not valid UTF-8" }],
    });
  }
}
