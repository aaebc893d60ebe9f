"use client";

import {
  type ChatbotErrorKind,
  type ChatbotHealthDto,
  type ChatbotHealthStatus,
  PROVIDER_LABELS,
} from "@tandem/contracts";
import { Activity, AlertTriangle, CheckCircle2, XCircle } from "lucide-react";
import Link from "next/link";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessage } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useChatbotHealth } from "./health-queries";

export const HEALTH_LABELS: Record<ChatbotHealthStatus, string> = {
  healthy: "Healthy",
  degraded: "Degraded",
  unhealthy: "Unhealthy",
};

const KIND_LABELS: Record<ChatbotErrorKind, string> = {
  generation: "Reply generation",
  send: "Send",
  retrieval: "Knowledge search",
  embedding: "Embedding",
};

const CHECK_LABELS = { ok: "OK", degraded: "Degraded", down: "Down" } as const;

const CHANNEL_TYPES: Record<string, string> = {
  messenger: "Messenger",
  line: "LINE",
  web: "Website widget",
  api: "API",
};

/**
 * The chatbot's health in the page header: the status in words (an icon beside it, never colour
 * alone), a link to the Health tab. Read again every 30 seconds.
 */
export function HealthBadge({ chatbotId }: { chatbotId: string }) {
  const health = useChatbotHealth(chatbotId);
  if (!health.data) return null;
  const { status } = health.data;
  const errors = health.data.checks.errorRate.errorsLastHour;
  const Icon = status === "healthy" ? CheckCircle2 : status === "degraded" ? AlertTriangle : XCircle;
  return (
    <Link
      href={`/chatbots/${encodeURIComponent(chatbotId)}?tab=health`}
      aria-label={`Health: ${HEALTH_LABELS[status]}, ${errors} ${errors === 1 ? "error" : "errors"} in the last hour. Open the health details.`}
      className="rounded-md focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
    >
      <Badge
        variant={status === "healthy" ? "accent" : status === "degraded" ? "outline" : "destructive"}
        data-testid="chatbot-health"
        data-status={status}
      >
        <Icon aria-hidden="true" />
        {HEALTH_LABELS[status]}
      </Badge>
    </Link>
  );
}

/** The Health tab: each part the chatbot depends on, and its latest errors. */
export function HealthTab({ chatbotId }: { chatbotId: string }) {
  const health = useChatbotHealth(chatbotId);
  if (health.isError) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{errorMessage(health.error)}</AlertDescription>
      </Alert>
    );
  }
  if (!health.data) return <Skeleton className="h-64 w-full" role="status" aria-label="Loading" />;
  const h = health.data;
  return (
    <div className="flex flex-col gap-4" data-testid="chatbot-health-panel">
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <Activity aria-hidden="true" className="size-4" />
            Health: {HEALTH_LABELS[h.status]}
          </CardTitle>
          <CardDescription>
            Degraded over {h.checks.errorRate.degradedThreshold} errors in the last hour, unhealthy over{" "}
            {h.checks.errorRate.errorThreshold}; a channel that needs reconnecting makes it degraded too. Checked{" "}
            {formatDateTime(h.checkedAt)}, again every 30 seconds.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2" aria-label="Health checks">
            <Check
              label="Errors"
              status={
                h.checks.errorRate.status === "healthy"
                  ? "ok"
                  : h.checks.errorRate.status === "degraded"
                    ? "degraded"
                    : "down"
              }
            >
              {h.checks.errorRate.errorsLastHour} in the last hour, {h.checks.errorRate.errorsLastDay} in 24 hours
            </Check>
            <Check label="AI provider" status={h.checks.llmService.status}>
              {PROVIDER_LABELS[h.checks.llmService.provider]}
              {h.checks.llmService.model ? ` · ${h.checks.llmService.model}` : ""} · {latency(h.checks.llmService)} ·{" "}
              {h.checks.llmService.repliesLastHour} replies, {h.checks.llmService.failedGenerationsLastHour} failed in
              the last hour
              {h.checks.llmService.errorRate !== null
                ? ` (${Math.round(h.checks.llmService.errorRate * 100)}% failed)`
                : ""}
            </Check>
            <Check label="Database" status={h.checks.database.status}>
              {h.checks.database.responseTime !== null
                ? `answered in ${h.checks.database.responseTime} ms`
                : "not answering"}
            </Check>
            <Check label="Vector search" status={h.checks.vectorSearch.status}>
              {h.checks.vectorSearch.available ? "pgvector available" : "pgvector not installed"} ·{" "}
              {h.checks.vectorSearch.retrieval === "hybrid" ? "hybrid retrieval" : "full text only"} · embeddings{" "}
              {h.checks.vectorSearch.embedding}
              {h.checks.vectorSearch.error ? ` · ${h.checks.vectorSearch.error}` : ""}
              {h.checks.vectorSearch.failuresLastHour > 0
                ? ` · failed in ${h.checks.vectorSearch.failuresLastHour} ${h.checks.vectorSearch.failuresLastHour === 1 ? "reply" : "replies"} in the last hour (full text used)`
                : ""}
            </Check>
            <Check label="Uptime" status="ok">
              Server process up {duration(h.uptime)} (since {formatDateTime(h.startedAt)})
            </Check>
            <Check label="Channels" status={h.checks.channels.some((c) => c.reconnectNeeded) ? "degraded" : "ok"}>
              {h.checks.channels.length === 0 ? (
                "No channel names this chatbot."
              ) : (
                <ul className="flex flex-col gap-1" aria-label="Channels">
                  {h.checks.channels.map((c) => (
                    <li key={c.id}>
                      {c.name} ({CHANNEL_TYPES[c.type] ?? c.type}):{" "}
                      {c.reconnectNeeded
                        ? `needs reconnecting${c.statusReason ? ` — ${c.statusReason}` : ""}`
                        : c.status}
                    </li>
                  ))}
                </ul>
              )}
            </Check>
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Recent errors</CardTitle>
          <CardDescription>
            Failed replies, sends and embeddings of the last 24 hours, newest first.
            {h.lastError && h.recentErrors.length === 0
              ? ` The last one was ${formatRelative(h.lastError.occurredAt)}: ${h.lastError.code}.`
              : ""}
          </CardDescription>
        </CardHeader>
        <CardContent>
          {h.recentErrors.length === 0 ? (
            <p className="text-sm text-muted-foreground">No errors in the last 24 hours.</p>
          ) : (
            <Table aria-label="Recent errors" data-testid="chatbot-health-errors">
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>What</TableHead>
                  <TableHead>Code</TableHead>
                  <TableHead>Reason</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {h.recentErrors.map((e) => (
                  <TableRow key={e.id}>
                    <TableCell className="whitespace-nowrap">
                      <time dateTime={e.occurredAt} title={formatDateTime(e.occurredAt)}>
                        {formatRelative(e.occurredAt)}
                      </time>
                    </TableCell>
                    <TableCell>{KIND_LABELS[e.kind]}</TableCell>
                    <TableCell>
                      <code className="text-xs">{e.code}</code>
                    </TableCell>
                    <TableCell className="max-w-md whitespace-normal break-words">
                      {e.message}
                      {e.conversationId && (
                        <>
                          {" "}
                          <Link
                            href={`/dashboard?c=${encodeURIComponent(e.conversationId)}`}
                            className="text-primary underline-offset-4 hover:underline"
                          >
                            Conversation
                          </Link>
                        </>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function Check({
  label,
  status,
  children,
}: {
  label: string;
  status: keyof typeof CHECK_LABELS;
  children: React.ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1">
      <dt className="flex items-center gap-2 font-medium">
        {label}
        <Badge variant={status === "ok" ? "accent" : status === "degraded" ? "outline" : "destructive"}>
          {CHECK_LABELS[status]}
        </Badge>
      </dt>
      <dd className="text-muted-foreground">{children}</dd>
    </div>
  );
}

/** "average reply 1.1 s in the last hour, 0.9 s in 24 hours", or that there was none. */
function latency({
  avgResponseTime: hour,
  avgResponseTimeLastDay: day,
}: Pick<ChatbotHealthDto["checks"]["llmService"], "avgResponseTime" | "avgResponseTimeLastDay">): string {
  if (day === null) return "no replies in 24 hours";
  return hour === null
    ? `average reply ${ms(day)} in 24 hours, none in the last hour`
    : `average reply ${ms(hour)} in the last hour, ${ms(day)} in 24 hours`;
}

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`);

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min`;
}
