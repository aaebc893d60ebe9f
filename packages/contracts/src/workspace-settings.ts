import { z } from "zod";

/** `GET /api/v1/settings/inbox`: how the inbox behaves for the whole workspace. */
export const InboxSettingsDto = z.object({
  /** An agent's reply to an unassigned conversation assigns it to them. */
  assignOnReply: z.boolean(),
  /**
   * `round_robin`: a conversation waiting for a person — handed off by the bot, or in a channel without
   * one — is assigned to a member online in the dashboard, taking turns. `off`: nobody is assigned
   * automatically.
   */
  autoAssign: z.enum(["off", "round_robin"]),
});
export type InboxSettingsDto = z.infer<typeof InboxSettingsDto>;

/** `PATCH /api/v1/settings/inbox` (OWNER/ADMIN): only the fields given change. */
export const UpdateInboxSettingsInput = InboxSettingsDto.partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateInboxSettingsInput = z.infer<typeof UpdateInboxSettingsInput>;
