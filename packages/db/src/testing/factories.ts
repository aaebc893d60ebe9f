import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { channels } from "../schema/channels.ts";
import { chatbots } from "../schema/chatbots.ts";
import { contacts, conversations, messages } from "../schema/conversations.ts";
import { members, users, workspaces } from "../schema/identity.ts";
import { chunks, documents, knowledgeSources } from "../schema/knowledge.ts";

/**
 * Insert helpers for tests. Every default is unique (random suffixes), so each test builds its own
 * workspace and never collides with rows of another test sharing the database. Each helper returns
 * the inserted row; anything a test cares about should be passed explicitly.
 */

type Insert<T extends { $inferInsert: unknown }> = T["$inferInsert"];
type MemberRole = (typeof members.$inferSelect)["role"];

const suffix = () => randomBytes(5).toString("hex");

async function insertOne<T>(rows: Promise<T[]>): Promise<T> {
  const [row] = await rows;
  if (!row) throw new Error("insert returned no row");
  return row;
}

export function createWorkspace(db: Db, overrides: Partial<Insert<typeof workspaces>> = {}) {
  return insertOne(
    db
      .insert(workspaces)
      .values({ name: `Workspace ${suffix()}`, ...overrides })
      .returning(),
  );
}

/** `passwordHash` is stored as given: hash it with core's password helper when a test signs in. */
export function createUser(db: Db, overrides: Partial<Insert<typeof users>> = {}) {
  const tag = suffix();
  return insertOne(
    db
      .insert(users)
      .values({ email: `user-${tag}@test.local`, name: `User ${tag}`, ...overrides })
      .returning(),
  );
}

export function createMember(db: Db, input: { workspaceId: string; userId: string; role?: MemberRole }) {
  return insertOne(
    db
      .insert(members)
      .values({ workspaceId: input.workspaceId, userId: input.userId, role: input.role ?? "AGENT" })
      .returning(),
  );
}

export function createChatbot(db: Db, input: { workspaceId: string } & Partial<Insert<typeof chatbots>>) {
  return insertOne(
    db
      .insert(chatbots)
      .values({ name: `Bot ${suffix()}`, status: "active", ...input })
      .returning(),
  );
}

/** A Messenger channel with a random page id unless `type` / `externalId` say otherwise. */
export function createChannel(db: Db, input: { workspaceId: string } & Partial<Insert<typeof channels>>) {
  const type = input.type ?? "messenger";
  const externalId = type === "messenger" || type === "line" ? `${Date.now()}${suffix()}` : null;
  return insertOne(
    db
      .insert(channels)
      .values({ name: `${type} ${suffix()}`, type, externalId, subscribed: true, ...input })
      .returning(),
  );
}

export async function createContact(
  db: Db,
  input: { workspaceId: string; channelId?: string } & Partial<Insert<typeof contacts>>,
) {
  const channelId = input.channelId ?? (await createChannel(db, { workspaceId: input.workspaceId })).id;
  const tag = suffix();
  return insertOne(
    db
      .insert(contacts)
      .values({ platformUserId: `psid-${tag}`, name: `Customer ${tag}`, ...input, channelId })
      .returning(),
  );
}

/** Creates the channel and the contact too when they are not given. */
export async function createConversation(
  db: Db,
  input: { workspaceId: string } & Partial<Insert<typeof conversations>>,
) {
  const channelId =
    input.channelId ?? (input.isPlayground ? null : (await createChannel(db, { workspaceId: input.workspaceId })).id);
  const contactId =
    input.contactId ??
    (channelId && !input.isPlayground
      ? (await createContact(db, { workspaceId: input.workspaceId, channelId })).id
      : null);
  return insertOne(
    db
      .insert(conversations)
      .values({ ...input, channelId, contactId })
      .returning(),
  );
}

/** Takes workspace and channel from the conversation unless given; defaults to a received USER text. */
export async function createMessage(db: Db, input: { conversationId: string } & Partial<Insert<typeof messages>>) {
  let { workspaceId, channelId } = input;
  if (!workspaceId || channelId === undefined) {
    const [conversation] = await db
      .select({ workspaceId: conversations.workspaceId, channelId: conversations.channelId })
      .from(conversations)
      .where(eq(conversations.id, input.conversationId));
    if (!conversation) throw new Error(`conversation ${input.conversationId} not found`);
    workspaceId ??= conversation.workspaceId;
    if (channelId === undefined) channelId = conversation.channelId;
  }
  return insertOne(
    db
      .insert(messages)
      .values({ role: "USER", status: "received", text: `Hello ${suffix()}`, ...input, workspaceId, channelId })
      .returning(),
  );
}

/**
 * A knowledge-base passage: a source (of the chatbot, or shared by the workspace when `chatbotId` is
 * null), one document titled `title` and one chunk with `content`, ready for full-text search.
 */
export async function createKnowledgePassage(
  db: Db,
  input: {
    workspaceId: string;
    chatbotId?: string | null;
    title: string;
    content: string;
    category?: string;
    /** Extra index terms (`chunk.search_terms`: heading path, Thai/CJK character bigrams). */
    searchTerms?: string;
    tags?: string[];
    documentType?: string;
  },
) {
  const source = await insertOne(
    db
      .insert(knowledgeSources)
      .values({
        workspaceId: input.workspaceId,
        chatbotId: input.chatbotId ?? null,
        type: "document",
        name: `Source ${suffix()}`,
        category: input.category ?? null,
        status: "ready",
      })
      .returning(),
  );
  const document = await insertOne(
    db
      .insert(documents)
      .values({
        workspaceId: input.workspaceId,
        sourceId: source.id,
        title: input.title,
        content: input.content,
        status: "ready",
        ...(input.tags ? { tags: input.tags } : {}),
        ...(input.documentType ? { documentType: input.documentType } : {}),
      })
      .returning(),
  );
  const chunk = await insertOne(
    db
      .insert(chunks)
      .values({
        workspaceId: input.workspaceId,
        documentId: document.id,
        sourceId: source.id,
        chatbotId: input.chatbotId ?? null,
        ordinal: 0,
        content: input.content,
        ...(input.searchTerms ? { searchTerms: input.searchTerms } : {}),
      })
      .returning(),
  );
  return { source, document, chunk };
}

export interface TestPerson {
  user: typeof users.$inferSelect;
  member: typeof members.$inferSelect;
}

async function createPerson(db: Db, workspaceId: string, role: MemberRole): Promise<TestPerson> {
  const user = await createUser(db, { email: `${role.toLowerCase()}-${suffix()}@test.local` });
  const member = await createMember(db, { workspaceId, userId: user.id, role });
  return { user, member };
}

/** A fresh workspace with one OWNER, one ADMIN and one AGENT. */
export async function createTestWorkspace(db: Db, overrides: Partial<Insert<typeof workspaces>> = {}) {
  const workspace = await createWorkspace(db, overrides);
  const owner = await createPerson(db, workspace.id, "OWNER");
  const admin = await createPerson(db, workspace.id, "ADMIN");
  const agent = await createPerson(db, workspace.id, "AGENT");
  return { workspace, owner, admin, agent };
}

export type TestWorkspace = Awaited<ReturnType<typeof createTestWorkspace>>;
