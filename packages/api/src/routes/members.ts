import { createRoute, z } from "@hono/zod-openapi";
import {
  InviteMemberInput,
  InviteMemberResponse,
  MemberDto,
  MembersResponse,
  UpdateMemberInput,
} from "@tandem/contracts";
import {
  inviteMember,
  listMembers,
  removeMember,
  resendInvitation,
  revokeInvitation,
  updateMemberRole,
} from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const IdParam = z.object({ id: z.string().min(1).max(64) });

export function memberRoutes() {
  const app = createRouter();

  // GET /api/v1/members — members and pending invitations
  app.openapi(
    createRoute({
      method: "get",
      path: "/members",
      tags: ["members"],
      ...permit("members.manage"),
      responses: { 200: json(MembersResponse), ...errors(401, 403) },
    }),
    async (c) => c.json(await listMembers(c.get("ctx")), 200),
  );

  // POST /api/v1/members — invite someone by email; mails the link when mail is on, returns it once
  app.openapi(
    createRoute({
      method: "post",
      path: "/members",
      tags: ["members"],
      ...permit("members.manage"),
      request: jsonBody(InviteMemberInput),
      responses: { 201: json(InviteMemberResponse, "Invitation created"), ...errors(400, 401, 403, 409) },
    }),
    async (c) => {
      const result = await inviteMember(c.get("ctx"), c.req.valid("json"), { mail: c.get("runtime") });
      return c.json(result, 201);
    },
  );

  // PATCH /api/v1/members/{id} — change a member's role
  app.openapi(
    createRoute({
      method: "patch",
      path: "/members/{id}",
      tags: ["members"],
      ...permit("members.manage"),
      request: { params: IdParam, ...jsonBody(UpdateMemberInput) },
      responses: { 200: json(MemberDto), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) => c.json(await updateMemberRole(c.get("ctx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  // DELETE /api/v1/members/{id} — remove a member from the workspace
  app.openapi(
    createRoute({
      method: "delete",
      path: "/members/{id}",
      tags: ["members"],
      ...permit("members.manage"),
      request: { params: IdParam },
      responses: { 204: { description: "Removed" }, ...errors(401, 403, 404, 409) },
    }),
    async (c) => {
      await removeMember(c.get("ctx"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  // DELETE /api/v1/invitations/{id} — revoke a pending invitation
  app.openapi(
    createRoute({
      method: "delete",
      path: "/invitations/{id}",
      tags: ["members"],
      ...permit("members.manage"),
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, ...errors(401, 403, 404) },
    }),
    async (c) => {
      await revokeInvitation(c.get("ctx"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  // POST /api/v1/invitations/{id}/resend — a new link for a pending invitation, mailed when mail is on
  app.openapi(
    createRoute({
      method: "post",
      path: "/invitations/{id}/resend",
      tags: ["members"],
      ...permit("members.manage"),
      request: { params: IdParam },
      responses: { 200: json(InviteMemberResponse, "Invitation sent again"), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await resendInvitation(c.get("ctx"), c.req.valid("param").id, { mail: c.get("runtime") }), 200),
  );

  return app;
}
