"use client";

import { CHATBOT_LIMITS, CreateChatbotInput } from "@tandem/contracts";
import { Bot, Plus } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import { fieldErrors, useChatbots, useCreateChatbot } from "./crud-queries";
import { STATUS_HELP, STATUS_LABELS } from "./settings-tab";

/** `/chatbots`: every chatbot of the workspace with S2's overview, and "New chatbot". */
export function ChatbotsListPage() {
  const me = useCurrentUser();
  const manage = can(me, "chatbots.manage");
  const list = useChatbots();
  const chatbots = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Chatbots"
        description="Each channel names the chatbot that answers it. Open one to edit its prompt, try it, or change its settings."
        actions={manage ? <NewChatbotDialog /> : undefined}
      />
      {list.isError ? (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(list.error)}</AlertDescription>
        </Alert>
      ) : !list.data ? (
        <Skeleton className="h-48 w-full" role="status" aria-label="Loading" />
      ) : chatbots.length === 0 ? (
        <EmptyState icon={Bot} title="No chatbot yet" description="Create one to answer your customers." />
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Chatbots" data-testid="chatbot-list">
          {chatbots.map((chatbot) => (
            <li key={chatbot.id} className="rounded-lg border bg-card p-4">
              <div className="flex flex-wrap items-center gap-2">
                <Link
                  href={`/chatbots/${encodeURIComponent(chatbot.id)}`}
                  className="font-semibold text-primary underline-offset-4 hover:underline"
                >
                  {chatbot.name}
                </Link>
                <Badge
                  variant={chatbot.status === "active" ? "accent" : "secondary"}
                  title={STATUS_HELP[chatbot.status]}
                >
                  {STATUS_LABELS[chatbot.status]}
                </Badge>
                {chatbot.isDefault && <Badge variant="outline">Default</Badge>}
              </div>
              {chatbot.description && <p className="mt-1 text-sm text-muted-foreground">{chatbot.description}</p>}
              <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-1 text-xs text-muted-foreground sm:flex sm:flex-wrap">
                <div>
                  <dt className="inline">Channels: </dt>
                  <dd className="inline text-foreground">
                    {chatbot.channels.length === 0 ? "none" : chatbot.channels.map((c) => c.name).join(", ")}
                  </dd>
                </div>
                <div>
                  <dt className="inline">Conversations: </dt>
                  <dd className="inline text-foreground">{chatbot.stats.conversations.toLocaleString("en")}</dd>
                </div>
                <div>
                  <dt className="inline">Customers: </dt>
                  <dd className="inline text-foreground">{chatbot.stats.uniqueUsers.toLocaleString("en")}</dd>
                </div>
                <div>
                  <dt className="inline">Last activity: </dt>
                  <dd className="inline text-foreground">
                    {chatbot.stats.lastActivityAt ? formatRelative(chatbot.stats.lastActivityAt) : "never"}
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <Button
          variant="outline"
          className="w-fit"
          onClick={() => list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? "Loading…" : "More chatbots"}
        </Button>
      )}
    </div>
  );
}

function NewChatbotDialog() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const create = useCreateChatbot();
  const router = useRouter();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const parsed = CreateChatbotInput.safeParse({ name, description: description.trim() || null });
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
      return;
    }
    setErrors({});
    try {
      const chatbot = await create.mutateAsync(parsed.data);
      setOpen(false);
      router.push(`/chatbots/${encodeURIComponent(chatbot.id)}?tab=settings`);
    } catch (cause) {
      const fields = fieldErrors(cause);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(errorMessage(cause));
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) {
          setName("");
          setDescription("");
          setErrors({});
          setError(null);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden="true" />
          New chatbot
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New chatbot</DialogTitle>
          <DialogDescription>
            It starts in testing: it answers only in the playground until you make it active and give it a channel.
          </DialogDescription>
        </DialogHeader>
        <form className="flex flex-col gap-4" onSubmit={onSubmit}>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="new-chatbot-name">Name</Label>
            <Input
              id="new-chatbot-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={CHATBOT_LIMITS.name}
              aria-invalid={Boolean(errors.name)}
              aria-describedby={errors.name ? "new-chatbot-name-error" : undefined}
              autoFocus
            />
            {errors.name && (
              <p id="new-chatbot-name-error" className="text-xs text-destructive">
                Name: {errors.name}
              </p>
            )}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="new-chatbot-description">Description (optional)</Label>
            <Textarea
              id="new-chatbot-description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              maxLength={CHATBOT_LIMITS.description}
              rows={2}
            />
          </div>
          {error && (
            <Alert variant="destructive">
              <AlertDescription>{error}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create chatbot"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
