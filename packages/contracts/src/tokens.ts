import { z } from "zod";

export const ApiTokenDto = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ApiTokenDto = z.infer<typeof ApiTokenDto>;

export const CreateApiTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenInput = z.infer<typeof CreateApiTokenInput>;

/** The plaintext token appears in this response only. */
export const ApiTokenCreated = z.object({ token: z.string(), apiToken: ApiTokenDto });
export type ApiTokenCreated = z.infer<typeof ApiTokenCreated>;
