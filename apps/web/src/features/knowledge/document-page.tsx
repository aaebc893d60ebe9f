"use client";

import type { KnowledgeChunkDto } from "@tandem/contracts";
import { Layers, RotateCw, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { DocumentLabels, documentFacts, EditDocumentDialog } from "./documents-table";
import { useDocument, useDocumentChunks, useKnowledgeSource, useReingestDocument } from "./queries";
import { describeEmbeddingKey } from "./retrieval-form";
import { isBusy, ProgressBar, StatusBadge } from "./status";

/** `/knowledge/documents/{id}`: one document, its status and problems, and the passages it was cut into. */
export function DocumentPage() {
  const me = useCurrentUser();
  const manage = can(me, "knowledge.manage");
  const { id } = useParams<{ id: string }>();
  const doc = useDocument(id);
  const source = useKnowledgeSource(doc.data?.sourceId ?? "");
  const reingest = useReingestDocument(id);

  if (isApiError(doc.error, 404)) {
    return (
      <Alert variant="destructive">
        <AlertDescription>
          This document does not exist or was deleted.{" "}
          <Link href="/knowledge" className="underline underline-offset-4">
            All knowledge
          </Link>
        </AlertDescription>
      </Alert>
    );
  }
  const data = doc.data;
  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="flex flex-wrap gap-1 text-sm text-muted-foreground">
        <Link href="/knowledge" className="hover:text-foreground hover:underline">
          Knowledge
        </Link>
        {data && (
          <>
            <span aria-hidden="true">/</span>
            <Link
              href={`/knowledge/sources/${encodeURIComponent(data.sourceId)}`}
              className="break-all hover:text-foreground hover:underline"
            >
              {source.data?.name ?? "Source"}
            </Link>
          </>
        )}
      </nav>
      <PageHeader
        title={data?.title ?? "Document"}
        description={data ? `${documentFacts(data)} · updated ${formatDateTime(data.updatedAt)}` : undefined}
        actions={
          data && (
            <>
              <StatusBadge status={data.status} />
              {manage && (
                <>
                  <EditDocumentDialog doc={data} trigger={<Button variant="outline">Edit</Button>} />
                  <Button
                    variant="outline"
                    disabled={isBusy(data.status) || reingest.isPending}
                    onClick={() => reingest.mutate()}
                  >
                    <RotateCw aria-hidden="true" />
                    Re-ingest
                  </Button>
                </>
              )}
            </>
          )
        }
      />
      {(doc.isError || reingest.isError) && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(doc.error ?? reingest.error)}</AlertDescription>
        </Alert>
      )}
      {!data ? (
        <Skeleton className="h-64 w-full" role="status" aria-label="Loading" />
      ) : (
        <>
          <DocumentLabels doc={data} />
          {data.sourceUrl && (
            <p className="text-sm">
              Fetched from{" "}
              <a href={data.sourceUrl} target="_blank" rel="noreferrer noopener" className="break-all underline">
                {data.sourceUrl}
              </a>
            </p>
          )}
          {isBusy(data.status) && <ProgressBar value={data.progress} label="Progress" className="max-w-md" />}
          {data.error && (
            <Alert variant="destructive">
              <AlertDescription>{data.error}</AlertDescription>
            </Alert>
          )}
          {data.warnings.length > 0 && (
            <Alert>
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>
                <ul aria-label="Warnings">
                  {data.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </AlertDescription>
            </Alert>
          )}
          <ChunkList documentId={data.id} />
        </>
      )}
    </div>
  );
}

function ChunkList({ documentId }: { documentId: string }) {
  const chunks = useDocumentChunks(documentId);
  const rows = chunks.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card className="gap-0 pb-0">
      <CardHeader className="pb-4">
        <CardTitle>Passages</CardTitle>
      </CardHeader>
      <CardContent className="border-t px-0">
        {chunks.isError ? (
          <div className="p-4">
            <Alert variant="destructive">
              <AlertDescription>{errorMessage(chunks.error)}</AlertDescription>
            </Alert>
          </div>
        ) : chunks.isPending ? (
          <TableSkeleton rows={3} />
        ) : rows.length === 0 ? (
          <EmptyState icon={Layers} title="No passages yet" description="They appear once the document is ready." />
        ) : (
          <ol aria-label="Passages" className="divide-y">
            {rows.map((chunk) => (
              <ChunkRow key={chunk.id} chunk={chunk} />
            ))}
          </ol>
        )}
        {chunks.hasNextPage && (
          <div className="flex justify-center border-t p-3">
            <Button variant="outline" onClick={() => chunks.fetchNextPage()} disabled={chunks.isFetchingNextPage}>
              {chunks.isFetchingNextPage ? "Loading…" : "Show more"}
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function ChunkRow({ chunk }: { chunk: KnowledgeChunkDto }) {
  return (
    <li className="flex flex-col gap-2 px-4 py-3 sm:px-6" data-testid="knowledge-chunk">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground">
        <span className="font-medium text-foreground">#{chunk.ordinal + 1}</span>
        {chunk.headingPath.length > 0 && (
          <span className="break-words" data-testid="chunk-heading-path">
            {chunk.headingPath.join(" › ")}
          </span>
        )}
        {chunk.page != null && <span>page {chunk.page}</span>}
        <span>{chunk.tokenCount.toLocaleString("en")} tokens</span>
        {chunk.embeddedWith.length > 0 ? (
          chunk.embeddedWith.map((model) => (
            <Badge key={model} variant="outline">
              embedded: {describeEmbeddingKey(model)}
            </Badge>
          ))
        ) : (
          <Badge variant="secondary">full text only</Badge>
        )}
      </div>
      <p className="whitespace-pre-wrap break-words text-sm">{chunk.content}</p>
    </li>
  );
}
