"use client";

import {
  type ChatbotDto,
  KNOWLEDGE_LIMITS,
  type KnowledgeSearchResponse,
  type KnowledgeSearchResult,
} from "@tandem/contracts";
import { Search } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { errorMessage } from "@/lib/api";
import { cn } from "@/lib/utils";
import { belowThreshold, score } from "./format";
import { useKnowledgeSearch } from "./queries";

/**
 * Retrieval testing: a question is searched exactly as the bot would search it, and each passage
 * shows why it ranks where it does (full-text rank and score, vector rank and similarity, the fused
 * score), which vector matches fall below the threshold, the mode and the timings.
 */
export function RetrievalTest({ chatbot }: { chatbot: Pick<ChatbotDto, "id" | "retrieval"> }) {
  const [question, setQuestion] = useState("");
  const [limit, setLimit] = useState(String(KNOWLEDGE_LIMITS.search.limit.default));
  const search = useKnowledgeSearch(chatbot.id);
  const id = useId();

  return (
    <Card>
      <CardHeader>
        <CardTitle>Retrieval testing</CardTitle>
        <CardDescription>
          Ask what a customer would ask and see the passages the bot would get, in order, and why. The first{" "}
          {chatbot.retrieval.maxResults} go into its prompt.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-end"
          onSubmit={(event) => {
            event.preventDefault();
            const n = Number(limit);
            search.mutate({
              query: question.trim(),
              ...(Number.isInteger(n) && n >= 1 && n <= KNOWLEDGE_LIMITS.search.limit.max ? { limit: n } : {}),
            });
          }}
        >
          <div className="flex min-w-0 flex-1 flex-col gap-1.5">
            <Label htmlFor={`${id}-question`}>Question</Label>
            <Input
              id={`${id}-question`}
              value={question}
              onChange={(e) => setQuestion(e.target.value)}
              maxLength={KNOWLEDGE_LIMITS.search.query}
              placeholder="How long do refunds take?"
            />
          </div>
          <div className="flex flex-col gap-1.5 sm:w-24">
            <Label htmlFor={`${id}-limit`}>Results</Label>
            <Input id={`${id}-limit`} inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} />
          </div>
          <Button type="submit" disabled={search.isPending || question.trim() === ""}>
            <Search aria-hidden="true" />
            {search.isPending ? "Searching…" : "Search"}
          </Button>
        </form>
        {search.isError && (
          <Alert variant="destructive">
            <AlertDescription>{errorMessage(search.error)}</AlertDescription>
          </Alert>
        )}
        {search.data && <SearchResults response={search.data} maxResults={chatbot.retrieval.maxResults} />}
      </CardContent>
    </Card>
  );
}

function SearchResults({ response, maxResults }: { response: KnowledgeSearchResponse; maxResults: number }) {
  const { timings } = response;
  return (
    <section aria-label="Search results" className="flex flex-col gap-3" data-testid="retrieval-results">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge variant={response.mode === "hybrid" ? "accent" : "secondary"} data-testid="retrieval-mode">
          {response.mode === "hybrid" ? "Hybrid: full text + vectors" : "Full text only"}
        </Badge>
        <span className="text-muted-foreground">
          threshold {response.similarityThreshold} · {timings.totalMs} ms (full text {timings.fullTextMs} ms, embedding{" "}
          {timings.embedMs} ms, vectors {timings.vectorMs} ms)
        </span>
      </div>
      {response.vectorNote && (
        <p className="text-sm text-muted-foreground" data-testid="vector-note">
          Vector search: {response.vectorNote}
        </p>
      )}
      {response.results.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          Nothing found: the bot would have no knowledge for this question and would hand it to a person.
        </p>
      ) : (
        <ol aria-label="Ranked passages" className="flex flex-col gap-3">
          {response.results.map((result, index) => (
            <ResultRow
              key={result.chunkId}
              rank={index + 1}
              result={result}
              used={index < maxResults}
              below={belowThreshold(result, response.similarityThreshold)}
            />
          ))}
        </ol>
      )}
    </section>
  );
}

function ResultRow({
  rank,
  result,
  used,
  below,
}: {
  rank: number;
  result: KnowledgeSearchResult;
  used: boolean;
  below: boolean;
}) {
  const heading = result.headingPath.join(" › ");
  return (
    <li
      className={cn("flex flex-col gap-2 rounded-md border px-3 py-2.5", !used && "opacity-75")}
      data-testid="retrieval-result"
    >
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="text-sm font-semibold tabular-nums">#{rank}</span>
        {result.documentId ? (
          <Link
            href={`/knowledge/documents/${encodeURIComponent(result.documentId)}`}
            className="min-w-0 break-words text-sm font-medium underline-offset-4 hover:underline"
          >
            {result.title ?? "Untitled"}
          </Link>
        ) : (
          <span className="min-w-0 break-words text-sm font-medium">{result.title ?? "Untitled"}</span>
        )}
        <Badge variant="outline">{result.kind === "faq" ? "FAQ" : "Passage"}</Badge>
        {used && <Badge variant="accent">in the prompt</Badge>}
        {below && (
          <Badge variant="destructive" title="Its vector similarity is below the chatbot's threshold">
            below threshold
          </Badge>
        )}
      </div>
      {heading && <p className="break-words text-xs text-muted-foreground">{heading}</p>}
      <p className="line-clamp-4 whitespace-pre-wrap break-words text-sm">{result.content}</p>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-xs sm:grid-cols-4">
        <Fact
          label="Full text"
          value={result.fullTextRank == null ? "—" : `#${result.fullTextRank} · ${score(result.fullTextScore, 4)}`}
        />
        <Fact
          label="Vector"
          value={
            result.vectorSimilarity == null
              ? "—"
              : `${result.vectorRank == null ? "not ranked" : `#${result.vectorRank}`} · ${score(result.vectorSimilarity)}`
          }
        />
        <Fact label="Fused (RRF)" value={score(result.fusedScore, 4)} />
        <Fact label="Relevance" value={score(result.score, 2)} />
      </dl>
    </li>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-col">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="font-medium tabular-nums">{value}</dd>
    </div>
  );
}
