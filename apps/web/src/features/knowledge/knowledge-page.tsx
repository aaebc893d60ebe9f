"use client";

import { KNOWLEDGE_SOURCE_TYPES, type KnowledgeSourceDto, type KnowledgeSourceType } from "@tandem/contracts";
import { BookOpen, Plus } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { useChatbots } from "@/features/chatbots/crud-queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { errorMessage } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { CreateSourceDialog } from "./create-source-dialog";
import { TYPE_LABELS } from "./format";
import { useKnowledgeSources } from "./queries";
import { isBusy, ProgressBar, StatusBadge } from "./status";

/** The chatbots' names by id, for "owned by …" (every member may read chatbots). */
export function useChatbotNames(): Map<string, string> {
  const chatbots = useChatbots();
  return new Map((chatbots.data?.pages.flatMap((p) => p.data) ?? []).map((c) => [c.id, c.name]));
}

/** `/knowledge`: every source of the workspace with its status, progress and counts. */
export function KnowledgePage() {
  const me = useCurrentUser();
  const manage = can(me, "knowledge.manage");
  const [type, setType] = useState<KnowledgeSourceType | "">("");
  const sources = useKnowledgeSources(type ? { type } : {});
  const names = useChatbotNames();
  const rows = sources.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Knowledge"
        description={
          <>
            Documents, FAQs, text and web pages the chatbots answer from. A source is shared by every chatbot or owned
            by one.{!manage && " Only owners and admins can change them."}
          </>
        }
        actions={
          manage ? (
            <CreateSourceDialog
              trigger={
                <Button>
                  <Plus aria-hidden="true" />
                  New source
                </Button>
              }
            />
          ) : undefined
        }
      />
      <div className="flex items-center gap-2">
        <Label htmlFor="source-type-filter" className="shrink-0">
          Type
        </Label>
        <NativeSelect
          id="source-type-filter"
          value={type}
          onChange={(e) => setType(e.target.value as KnowledgeSourceType | "")}
          className="w-auto"
        >
          <option value="">All types</option>
          {KNOWLEDGE_SOURCE_TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <Card className="py-0">
        <CardContent className="px-0">
          {sources.isError ? (
            <div className="p-4">
              <Alert variant="destructive">
                <AlertDescription>{errorMessage(sources.error)}</AlertDescription>
              </Alert>
            </div>
          ) : sources.isPending ? (
            <TableSkeleton rows={3} />
          ) : rows.length === 0 ? (
            <EmptyState
              icon={BookOpen}
              title={type ? `No ${TYPE_LABELS[type].toLowerCase()} sources` : "No knowledge yet"}
              description={
                manage
                  ? "Add documents, an FAQ, text or web pages: the chatbots answer from them and show where each answer came from."
                  : "An owner or admin can add documents, FAQs and web pages for the chatbots to answer from."
              }
            />
          ) : (
            <ul aria-label="Knowledge sources" className="divide-y">
              {rows.map((source) => (
                <SourceRow key={source.id} source={source} owner={ownerLabel(source, names)} />
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
      {sources.hasNextPage && (
        <Button
          variant="outline"
          className="self-center"
          onClick={() => sources.fetchNextPage()}
          disabled={sources.isFetchingNextPage}
        >
          {sources.isFetchingNextPage ? "Loading…" : "Show more"}
        </Button>
      )}
    </div>
  );
}

export function ownerLabel(source: Pick<KnowledgeSourceDto, "chatbotId">, names: Map<string, string>): string {
  if (source.chatbotId === null) return "Shared by every chatbot";
  return `Only ${names.get(source.chatbotId) ?? "one chatbot"}`;
}

const NOUNS: Record<KnowledgeSourceType, [string, string]> = {
  document: ["document", "documents"],
  faq: ["entry", "entries"],
  text: ["text", "texts"],
  url: ["page", "pages"],
  shopify: ["item", "items"],
};

/** "3 documents · 2 ready · 1 failed · 45 passages". */
export function countsLabel(source: Pick<KnowledgeSourceDto, "type" | "counts">): string {
  const { documents, ready, failed, chunks } = source.counts;
  const [one, many] = NOUNS[source.type];
  const parts = [`${documents.toLocaleString("en")} ${documents === 1 ? one : many}`];
  if (documents > 0 && ready !== documents) parts.push(`${ready.toLocaleString("en")} ready`);
  if (failed > 0) parts.push(`${failed.toLocaleString("en")} failed`);
  parts.push(`${chunks.toLocaleString("en")} ${chunks === 1 ? "passage" : "passages"}`);
  return parts.join(" · ");
}

function SourceRow({ source, owner }: { source: KnowledgeSourceDto; owner: string }) {
  return (
    <li className="flex flex-col gap-2 px-4 py-3 sm:px-6" data-testid="knowledge-source" data-source-id={source.id}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Link
          href={`/knowledge/sources/${encodeURIComponent(source.id)}`}
          className="min-w-0 break-words font-medium underline-offset-4 hover:underline"
        >
          {source.name}
        </Link>
        <Badge variant="outline">{TYPE_LABELS[source.type]}</Badge>
        <StatusBadge status={source.status} />
      </div>
      <p className="text-sm text-muted-foreground">
        {owner}
        {source.category ? ` · ${source.category}` : ""} · {countsLabel(source)}
        {source.lastSyncedAt && (
          <>
            {" "}
            · synced <time dateTime={source.lastSyncedAt}>{formatRelative(source.lastSyncedAt)}</time>
          </>
        )}
      </p>
      {isBusy(source.status) && (
        <ProgressBar value={source.progress} label={`${source.name}: ingest progress`} className="max-w-md" />
      )}
      {source.error && <p className="break-words text-sm text-destructive">{source.error}</p>}
    </li>
  );
}
