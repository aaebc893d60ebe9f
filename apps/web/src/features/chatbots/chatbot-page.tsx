"use client";

import {
  Activity,
  BookOpen,
  FileText,
  FlaskConical,
  Globe,
  History,
  KeyRound,
  MessagesSquare,
  Settings,
} from "lucide-react";
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { ChatbotKnowledgeTab } from "@/features/knowledge/chatbot-knowledge-tab";
import { errorMessage, isApiError } from "@/lib/api";
import { ApiKeyTab } from "./api-key-tab";
import { ChannelsTab } from "./channels-tab";
import { useChatbot } from "./crud-queries";
import { HealthBadge, HealthTab } from "./health-tab";
import { HistoryTab } from "./history-tab";
import { PlaygroundTab } from "./playground-tab";
import { PromptTab } from "./prompt-tab";
import { SettingsTab, STATUS_LABELS } from "./settings-tab";
import { WebsiteTab } from "./website-tab";

const TABS = [
  "prompt",
  "history",
  "playground",
  "knowledge",
  "settings",
  "website",
  "api-key",
  "channels",
  "health",
] as const;
type Tab = (typeof TABS)[number];
/** Tabs only owners and admins see (their reads are `chatbots.manage` too). */
const MANAGE_TABS: readonly Tab[] = ["playground", "website"];

/**
 * `/chatbots/{id}?tab=…`: the chatbot's prompt, its history, the playground, its knowledge, settings,
 * website widget, API key, channels and health (its badge in the header too).
 */
export function ChatbotPage() {
  const me = useCurrentUser();
  const params = useParams<{ id: string }>();
  const chatbotId = params.id;
  const router = useRouter();
  const pathname = usePathname();
  const manage = can(me, "chatbots.manage");
  const readable = can(me, "chatbots.read");
  const requested = useSearchParams().get("tab");
  const chatbot = useChatbot(chatbotId);
  const tabs: readonly Tab[] = manage ? TABS : TABS.filter((t) => !MANAGE_TABS.includes(t));
  const tab: Tab = tabs.includes(requested as Tab) ? (requested as Tab) : "prompt";
  const setTab = (next: string) => router.replace(next === "prompt" ? pathname : `${pathname}?tab=${next}`);

  if (!readable) {
    return (
      <Alert variant="destructive">
        <AlertDescription>Your role cannot see chatbots.</AlertDescription>
      </Alert>
    );
  }

  if (isApiError(chatbot.error, 404)) {
    return (
      <Alert variant="destructive">
        <AlertDescription>
          This chatbot does not exist or was deleted.{" "}
          <Link href="/chatbots" className="underline underline-offset-4">
            All chatbots
          </Link>
        </AlertDescription>
      </Alert>
    );
  }

  const bot = chatbot.data;
  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
        <Link href="/chatbots" className="hover:text-foreground hover:underline">
          Chatbots
        </Link>
      </nav>
      <PageHeader
        title={bot?.name ?? "Chatbot"}
        description={
          bot?.description ??
          "Its system prompt, every earlier version, a playground to try changes, its knowledge, settings, website widget, API key, channels and health."
        }
        actions={
          <>
            {bot && (
              <Badge variant={bot.status === "active" ? "accent" : "secondary"} data-testid="chatbot-status">
                {STATUS_LABELS[bot.status]}
              </Badge>
            )}
            {bot && <HealthBadge chatbotId={chatbotId} />}
            {bot?.isDefault && <Badge variant="outline">Default</Badge>}
            {!manage && <Badge variant="outline">Read-only</Badge>}
          </>
        }
      />
      {chatbot.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(chatbot.error)}</AlertDescription>
        </Alert>
      )}
      <Tabs value={tab} onValueChange={setTab} className="flex min-w-0 flex-col gap-4">
        <div className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
          <TabsList aria-label="Chatbot sections" className="w-max">
            <TabsTrigger value="prompt">
              <FileText aria-hidden="true" />
              Prompt
            </TabsTrigger>
            <TabsTrigger value="history">
              <History aria-hidden="true" />
              History
            </TabsTrigger>
            {manage && (
              <TabsTrigger value="playground">
                <FlaskConical aria-hidden="true" />
                Playground
              </TabsTrigger>
            )}
            <TabsTrigger value="knowledge">
              <BookOpen aria-hidden="true" />
              Knowledge
            </TabsTrigger>
            <TabsTrigger value="settings">
              <Settings aria-hidden="true" />
              Settings
            </TabsTrigger>
            {manage && (
              <TabsTrigger value="website">
                <Globe aria-hidden="true" />
                Website
              </TabsTrigger>
            )}
            <TabsTrigger value="api-key">
              <KeyRound aria-hidden="true" />
              API key
            </TabsTrigger>
            <TabsTrigger value="channels">
              <MessagesSquare aria-hidden="true" />
              Channels
            </TabsTrigger>
            <TabsTrigger value="health">
              <Activity aria-hidden="true" />
              Health
            </TabsTrigger>
          </TabsList>
        </div>
        <TabsContent value="prompt" className="min-w-0">
          <PromptTab chatbotId={chatbotId} canManage={manage} canReadBrand={can(me, "providers.manage")} />
        </TabsContent>
        <TabsContent value="history" className="min-w-0">
          <HistoryTab chatbotId={chatbotId} canManage={manage} />
        </TabsContent>
        {manage && (
          <TabsContent value="playground" className="min-w-0">
            <PlaygroundTab chatbotId={chatbotId} />
          </TabsContent>
        )}
        <TabsContent value="knowledge" className="min-w-0">
          {bot ? (
            <ChatbotKnowledgeTab
              chatbot={bot}
              canManage={can(me, "knowledge.manage") && manage}
              canProviders={can(me, "providers.manage")}
            />
          ) : (
            <TabSkeleton />
          )}
        </TabsContent>
        <TabsContent value="settings" className="min-w-0">
          {bot ? <SettingsTab chatbot={bot} canManage={manage} /> : <TabSkeleton />}
        </TabsContent>
        {manage && (
          <TabsContent value="website" className="min-w-0">
            {bot ? <WebsiteTab chatbot={bot} /> : <TabSkeleton />}
          </TabsContent>
        )}
        <TabsContent value="api-key" className="min-w-0">
          {bot ? <ApiKeyTab chatbot={bot} canManage={manage} /> : <TabSkeleton />}
        </TabsContent>
        <TabsContent value="channels" className="min-w-0">
          {bot ? <ChannelsTab chatbot={bot} /> : <TabSkeleton />}
        </TabsContent>
        <TabsContent value="health" className="min-w-0">
          <HealthTab chatbotId={chatbotId} />
        </TabsContent>
      </Tabs>
    </div>
  );
}

function TabSkeleton() {
  return <Skeleton className="h-64 w-full" role="status" aria-label="Loading" />;
}
