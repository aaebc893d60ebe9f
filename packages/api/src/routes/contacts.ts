import { createRoute, z } from "@hono/zod-openapi";
import { ContactDetailDto, ContactListQuery, ContactListResponse, UpdateContactInput } from "@tandem/contracts";
import { getContact, listContacts, updateContact } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const IdParam = z.object({ id: z.string().min(1).max(64) });

/** Contacts: every role of the workspace reads and completes them (`conversations.work`). */
export function contactRoutes() {
  const app = createRouter();

  // GET /api/v1/contacts — newest first; search by name, e-mail, phone or platform id
  app.openapi(
    createRoute({
      method: "get",
      path: "/contacts",
      tags: ["contacts"],
      ...permit("conversations.work"),
      request: { query: ContactListQuery },
      responses: { 200: json(ContactListResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listContacts(c.get("ctx"), c.req.valid("query")), 200),
  );

  // GET /api/v1/contacts/{id} — the profile, custom attributes and the contact's conversations
  app.openapi(
    createRoute({
      method: "get",
      path: "/contacts/{id}",
      tags: ["contacts"],
      ...permit("conversations.work"),
      request: { params: IdParam },
      responses: { 200: json(ContactDetailDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getContact(c.get("ctx"), c.req.valid("param").id), 200),
  );

  // PATCH /api/v1/contacts/{id} — name, e-mail, phone, custom attributes (audited)
  app.openapi(
    createRoute({
      method: "patch",
      path: "/contacts/{id}",
      tags: ["contacts"],
      ...permit("conversations.work"),
      request: { params: IdParam, ...jsonBody(UpdateContactInput) },
      responses: { 200: json(ContactDetailDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await updateContact(c.get("ctx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  return app;
}
