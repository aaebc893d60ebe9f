"use client";

import type { AnalyticsPeriod, AnalyticsQuery, AnalyticsResponse, ChannelType } from "@tandem/contracts";
import { BarChart3, Download } from "lucide-react";
import { type ReactNode, useId, useMemo, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { NativeSelect } from "@/features/chatbots/native-select";
import { errorMessage, isApiError } from "@/lib/api";
import { dailyTrendCsv, downloadText } from "./csv";
import { DailyChart } from "./daily-chart";
import { useAnalytics, useAnalyticsSettings, useUpdateAnalyticsSettings } from "./queries";

type PeriodChoice = AnalyticsPeriod | "custom";

const CHANNELS: { value: ChannelType; label: string }[] = [
  { value: "messenger", label: "Messenger" },
  { value: "line", label: "LINE" },
  { value: "web", label: "Website" },
  { value: "api", label: "API" },
];
const channelLabel = (type: string) => CHANNELS.find((c) => c.value === type)?.label ?? type;

const number = new Intl.NumberFormat();
const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10}%`);
const duration = (ms: number | null) => {
  if (ms === null) return "—";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
};
const usd = (v: number | null) => (v === null ? "—" : `$${v < 0.01 && v > 0 ? v.toFixed(4) : v.toFixed(2)}`);

/** `/analytics` (OWNER, ADMIN): how many customers the bots served, how fast, how many needed a person. */
export function AnalyticsPage() {
  const me = useCurrentUser();
  const allowed = can(me, "analytics.read");
  const [period, setPeriod] = useState<PeriodChoice>("30d");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [chatbotId, setChatbotId] = useState("");
  const [channelType, setChannelType] = useState<ChannelType | "">("");
  const customReady = period !== "custom" || (from !== "" && to !== "" && from <= to);
  const query = useMemo<AnalyticsQuery>(
    () => ({
      ...(period === "custom" ? { from, to } : { period }),
      ...(chatbotId ? { chatbotId } : {}),
      ...(channelType ? { channelType } : {}),
    }),
    [period, from, to, chatbotId, channelType],
  );
  const report = useAnalytics(query, allowed && customReady);
  // The chatbot filter lists the chatbots of the unfiltered report's breakdown (deleted ones included).
  const all = useAnalytics(period === "custom" ? { from, to } : { period }, allowed && customReady);
  const settings = useAnalyticsSettings(allowed);
  const ids = { period: useId(), from: useId(), to: useId(), chatbot: useId(), channel: useId() };

  if (!allowed || isApiError(report.error, 403)) return <ForbiddenState />;
  const data = report.data;
  const chatbots = (all.data?.byChatbot ?? []).filter((b) => b.chatbotId !== null);

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Analytics"
        description={
          <>
            How many customers the bots served, how fast, how many needed a person and how satisfied they were. Days are
            counted in <TimeZoneSetting current={settings.data?.timeZone} canEdit={can(me, "settings.manage")} />.
          </>
        }
        actions={
          <Button
            variant="outline"
            size="sm"
            disabled={!data}
            onClick={() =>
              data &&
              downloadText(`analytics-${data.range.from}-${data.range.to}.csv`, dailyTrendCsv(data.trends.daily))
            }
          >
            <Download aria-hidden="true" /> Export CSV
          </Button>
        }
      />
      <form className="grid grid-cols-2 gap-3 sm:flex sm:flex-wrap sm:items-end" onSubmit={(e) => e.preventDefault()}>
        <Field id={ids.period} label="Period">
          <NativeSelect id={ids.period} value={period} onChange={(e) => setPeriod(e.target.value as PeriodChoice)}>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
            <option value="90d">Last 90 days</option>
            <option value="custom">Custom range</option>
          </NativeSelect>
        </Field>
        {period === "custom" && (
          <>
            <Field id={ids.from} label="From">
              <Input
                id={ids.from}
                type="date"
                value={from}
                max={to || undefined}
                onChange={(e) => setFrom(e.target.value)}
              />
            </Field>
            <Field id={ids.to} label="To">
              <Input
                id={ids.to}
                type="date"
                value={to}
                min={from || undefined}
                onChange={(e) => setTo(e.target.value)}
              />
            </Field>
          </>
        )}
        <Field id={ids.chatbot} label="Chatbot">
          <NativeSelect id={ids.chatbot} value={chatbotId} onChange={(e) => setChatbotId(e.target.value)}>
            <option value="">All chatbots</option>
            {chatbots.map((b) => (
              <option key={b.chatbotId} value={b.chatbotId ?? ""}>
                {b.name}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field id={ids.channel} label="Channel">
          <NativeSelect
            id={ids.channel}
            value={channelType}
            onChange={(e) => setChannelType(e.target.value as ChannelType | "")}
          >
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </form>
      {period === "custom" && !customReady && (
        <p className="text-sm text-muted-foreground">
          Pick the first and the last day (the first on or before the last).
        </p>
      )}
      {report.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(report.error)}</AlertDescription>
        </Alert>
      )}
      {data ? <Report data={data} /> : customReady && !report.isError && <ReportSkeleton />}
    </div>
  );
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="flex min-w-0 flex-col gap-1 sm:w-44">
      <label htmlFor={id} className="text-xs font-medium text-muted-foreground">
        {label}
      </label>
      {children}
    </div>
  );
}

function TimeZoneSetting({ current, canEdit }: { current: string | undefined; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState("");
  const update = useUpdateAnalyticsSettings();
  const listId = useId();
  const zones = useMemo(() => (editing ? Intl.supportedValuesOf("timeZone") : []), [editing]);
  if (!editing || !canEdit) {
    return (
      <>
        <strong className="font-medium text-foreground">{current ?? "…"}</strong>
        {canEdit && current && (
          <>
            {" "}
            <button
              type="button"
              className="underline underline-offset-2"
              onClick={() => {
                setValue(current);
                setEditing(true);
              }}
            >
              Change
            </button>
          </>
        )}
      </>
    );
  }
  return (
    <span className="mt-2 flex flex-wrap items-center gap-2">
      <Input
        aria-label="Time zone"
        list={listId}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        className="h-8 w-56"
      />
      <datalist id={listId}>
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <Button
        size="sm"
        disabled={update.isPending || value.trim() === ""}
        onClick={() => update.mutate({ timeZone: value.trim() }, { onSuccess: () => setEditing(false) })}
      >
        Save
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setEditing(false)}>
        Cancel
      </Button>
      {update.isError && <span className="text-destructive">{errorMessage(update.error)}</span>}
    </span>
  );
}

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card className="gap-1 py-4">
      <CardContent className="flex flex-col gap-1 px-4">
        <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
        <dd className="text-2xl font-semibold tabular-nums">{value}</dd>
        {hint && <dd className="text-xs text-muted-foreground">{hint}</dd>}
      </CardContent>
    </Card>
  );
}

function Report({ data }: { data: AnalyticsResponse }) {
  const { summary, bot, humans } = data;
  const rated = bot.feedback.helpful + bot.feedback.notHelpful;
  if (summary.totalConversations === 0 && summary.totalMessages === 0) {
    return (
      <EmptyState
        icon={BarChart3}
        title="Nothing in this period"
        description={`No conversations between ${data.range.from} and ${data.range.to}.`}
      />
    );
  }
  return (
    <div className="flex flex-col gap-6">
      <section aria-label="Key numbers">
        <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          <Kpi
            label="Conversations"
            value={number.format(summary.totalConversations)}
            hint={`${number.format(summary.totalMessages)} messages`}
          />
          <Kpi label="Unique users" value={number.format(summary.uniqueUsers)} />
          <Kpi
            label="Bot responses"
            value={number.format(bot.responses)}
            hint={bot.failedGenerations ? `${bot.failedGenerations} failed` : undefined}
          />
          <Kpi
            label="Deflection rate"
            value={percent(bot.deflectionRate)}
            hint={`${bot.deflected} of ${bot.cohort} with a bot`}
          />
          <Kpi label="Handoffs" value={number.format(bot.handoffs.total)} />
          <Kpi
            label="Satisfaction"
            value={percent(summary.satisfactionRate)}
            hint={`${rated} rating${rated === 1 ? "" : "s"}`}
          />
          <Kpi
            label="Bot latency"
            value={duration(summary.avgResponseTime)}
            hint={`p95 ${duration(bot.latencyP95Ms)}`}
          />
          <Kpi
            label="Human first response"
            value={duration(humans.firstResponseP50Ms)}
            hint={`median · p95 ${duration(humans.firstResponseP95Ms)}`}
          />
        </dl>
      </section>

      <Card>
        <CardHeader>
          <CardTitle>Daily trend</CardTitle>
          <CardDescription>
            {data.range.from} to {data.range.to} ({data.range.timeZone})
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <DailyChart days={data.trends.daily} />
          <details>
            <summary className="cursor-pointer text-sm text-muted-foreground">Show the numbers as a table</summary>
            <div className="mt-2 max-h-80 overflow-auto">
              <Table>
                <caption className="sr-only">Daily trend</caption>
                <TableHeader>
                  <TableRow>
                    <TableHead>Day</TableHead>
                    <TableHead className="text-right">Conversations</TableHead>
                    <TableHead className="text-right">Messages</TableHead>
                    <TableHead className="text-right">Users</TableHead>
                    <TableHead className="text-right">Bot responses</TableHead>
                    <TableHead className="text-right">Handoffs</TableHead>
                    <TableHead className="text-right">Deflected</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.trends.daily.map((d) => (
                    <TableRow key={d.date}>
                      <TableCell>{d.date}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.conversations}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.messages}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.uniqueUsers}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.botResponses}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.handoffs}</TableCell>
                      <TableCell className="text-right tabular-nums">{d.deflected}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          </details>
        </CardContent>
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <BreakdownCard
          title="By channel"
          caption="Conversations started, by channel"
          headers={["Channel", "Conversations"]}
          rows={Object.entries(data.integrationBreakdown)
            .filter(([, n]) => n > 0)
            .map(([type, n]) => [channelLabel(type), number.format(n)])}
        />
        <BreakdownCard
          title="Handoffs by reason"
          caption="Handoffs to a person, by reason"
          headers={["Reason", "Handoffs"]}
          rows={Object.entries(bot.handoffs.byReason)
            .sort((a, b) => b[1] - a[1])
            .map(([reason, n]) => [reason.replaceAll("_", " "), number.format(n)])}
        />
      </div>

      {data.byChatbot && (
        <BreakdownCard
          title="By chatbot"
          caption="Numbers per chatbot"
          headers={["Chatbot", "Conversations", "Bot responses", "Deflection", "Handoffs", "Satisfaction"]}
          rows={data.byChatbot.map((b) => [
            b.name,
            number.format(b.conversations),
            number.format(b.botResponses),
            percent(b.deflectionRate),
            number.format(b.handoffs),
            percent(b.satisfactionRate),
          ])}
        />
      )}

      <div className="grid gap-6 lg:grid-cols-2">
        <BreakdownCard
          title="Top queries"
          caption="The customers' most frequent questions"
          headers={["Query", "Count", "Satisfaction"]}
          rows={data.topQueries.map((q) => [q.query, number.format(q.count), percent(q.avgSatisfaction)])}
        />
        <BreakdownCard
          title="Models"
          caption="Bot responses, tokens and estimated cost per model"
          headers={["Model", "Responses", "Tokens in / out", "Est. cost"]}
          rows={bot.models.map((m) => [
            m.model,
            number.format(m.responses),
            `${number.format(m.inputTokens)} / ${number.format(m.outputTokens)}`,
            usd(m.estimatedCostUsd),
          ])}
        />
      </div>
    </div>
  );
}

function BreakdownCard({
  title,
  caption,
  headers,
  rows,
}: {
  title: string;
  caption: string;
  headers: string[];
  rows: string[][];
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent className="overflow-x-auto">
        {rows.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing in this period.</p>
        ) : (
          <Table>
            <caption className="sr-only">{caption}</caption>
            <TableHeader>
              <TableRow>
                {headers.map((h, i) => (
                  <TableHead key={h} className={i > 0 ? "text-right" : undefined}>
                    {h}
                  </TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.join("\u0000")}>
                  {row.map((cell, i) => (
                    <TableCell
                      // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
                      key={i}
                      className={i > 0 ? "text-right tabular-nums" : "max-w-64 whitespace-normal break-words"}
                    >
                      {cell}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

function ReportSkeleton() {
  return (
    <div className="flex flex-col gap-6" aria-busy="true">
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        {["a", "b", "c", "d", "e", "f", "g", "h"].map((k) => (
          <Skeleton key={k} className="h-24" />
        ))}
      </div>
      <Skeleton className="h-72" />
    </div>
  );
}
