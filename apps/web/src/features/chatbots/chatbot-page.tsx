"use client";

import { FileText, FlaskConical, History } from "lucide-react";
import Link from "next/link";
import { useParams, usePathname, useRouter, useSearchParams } from "next/navigation";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { HistoryTab } from "./history-tab";
import { PlaygroundTab } from "./playground-tab";
import { PromptTab } from "./prompt-tab";

const TABS = ["prompt", "history", "playground"] as const;
type Tab = (typeof TABS)[number];

/** `/chatbots/{id}?tab=…`: the chatbot's prompt, its history and the playground. */
export function ChatbotPage() {
  const me = useCurrentUser();
  const params = useParams<{ id: string }>();
  const chatbotId = params.id;
  const router = useRouter();
  const pathname = usePathname();
  const manage = can(me, "chatbots.manage");
  const readable = can(me, "chatbots.read");
  const requested = useSearchParams().get("tab");
  const tabs: readonly Tab[] = manage ? TABS : TABS.filter((t) => t !== "playground");
  const tab: Tab = tabs.includes(requested as Tab) ? (requested as Tab) : "prompt";
  const setTab = (next: string) => router.replace(next === "prompt" ? pathname : `${pathname}?tab=${next}`);

  if (!readable) {
    return (
      <Alert variant="destructive">
        <AlertDescription>Your role cannot see chatbots.</AlertDescription>
      </Alert>
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Chatbot"
        description={
          <>
            Its system prompt, every earlier version, and a playground to try changes before customers see them.{" "}
            <Link href="/settings/provider" className="text-primary underline-offset-4 hover:underline">
              Provider and bot behaviour
            </Link>
          </>
        }
        actions={!manage ? <Badge variant="outline">Read-only</Badge> : undefined}
      />
      <Tabs value={tab} onValueChange={setTab} className="flex min-w-0 flex-col gap-4">
        <div className="-mx-4 overflow-x-auto px-4 sm:mx-0 sm:px-0">
          <TabsList aria-label="Chatbot sections">
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
      </Tabs>
    </div>
  );
}
