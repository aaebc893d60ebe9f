"use client";

import Link from "next/link";
import { Notice, useNotice } from "@/components/notice";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage, isApiError } from "@/lib/api";
import { BotBehaviourForm } from "./bot-behaviour-form";
import { CredentialsSection } from "./credentials-section";
import { ProviderSettingsForm } from "./provider-form";
import { useBotSettings, useProviderSettings } from "./queries";

export function ProviderPage() {
  const me = useCurrentUser();
  const allowed = can(me, "providers.manage");
  const settings = useProviderSettings(allowed);
  const bot = useBotSettings(allowed);
  const { notice, show, clear } = useNotice();

  if (!allowed || isApiError(settings.error, 403)) return <ForbiddenState />;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="AI provider"
        description={`The model that writes the chatbot's replies in ${me.workspace.name}. A saved change applies to the very next reply.`}
        actions={
          bot.data?.chatbotId ? (
            <Link
              href={`/chatbots/${encodeURIComponent(bot.data.chatbotId)}`}
              className="text-sm font-medium text-primary underline-offset-4 hover:underline"
            >
              Prompt, history and playground
            </Link>
          ) : undefined
        }
      />
      {settings.isError ? (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(settings.error)}</AlertDescription>
        </Alert>
      ) : settings.data ? (
        <ProviderSettingsForm
          settings={settings.data}
          onNotice={show}
          notice={<Notice notice={notice} onDismiss={clear} />}
        />
      ) : (
        <div className="flex flex-col gap-4" role="status" aria-label="Loading">
          <Skeleton className="h-56 w-full" />
          <Skeleton className="h-40 w-full" />
          <Skeleton className="h-64 w-full" />
        </div>
      )}
      <CredentialsSection />
      <section aria-labelledby="bot-behaviour-heading" className="flex flex-col gap-4">
        <div>
          <h2 id="bot-behaviour-heading" className="text-lg font-semibold">
            Bot behaviour
          </h2>
          <p className="text-sm text-muted-foreground">
            Whatever the provider: the brand the prompt speaks for, when the bot hands over, what it remembers.
          </p>
        </div>
        {bot.isError ? (
          <Alert variant="destructive">
            <AlertDescription>{errorMessage(bot.error)}</AlertDescription>
          </Alert>
        ) : bot.data ? (
          <BotBehaviourForm settings={bot.data} onNotice={show} />
        ) : (
          <Skeleton className="h-64 w-full" />
        )}
      </section>
    </div>
  );
}
