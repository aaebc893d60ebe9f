"use client";

import type { ChatbotDto } from "@tandem/contracts";
import { KeyRound } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useRegenerateChatbotKey } from "./crud-queries";

/** The public chat API key: only its last characters are kept; a new one is shown once. */
export function ApiKeyTab({ chatbot, canManage }: { chatbot: ChatbotDto; canManage: boolean }) {
  const regenerate = useRegenerateChatbotKey(chatbot.id);
  const [key, setKey] = useState<string | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>API key</CardTitle>
        <CardDescription>
          Lets your own apps talk to this chatbot through the public chat API (endpoints, streaming and examples:{" "}
          <code>docs/public-api.md</code>, and the{" "}
          <a href="/api/v1/openapi.json" className="underline underline-offset-4">
            OpenAPI document
          </a>
          ). Only its last characters are kept. Never put the key in a web page: the website widget needs none.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <p className="text-sm" data-testid="api-key-hint">
          {chatbot.apiKeyHint ? (
            <>
              Current key ends in <code className="font-mono">{chatbot.apiKeyHint}</code>.
            </>
          ) : (
            "No key yet."
          )}
        </p>
        {key && (
          <Alert>
            <KeyRound aria-hidden="true" />
            <AlertTitle>Copy the key now: it is shown only once</AlertTitle>
            <AlertDescription className="flex flex-col gap-2">
              <CopyField label="New API key" value={key} mono />
            </AlertDescription>
          </Alert>
        )}
        {canManage && (
          <ConfirmDialog
            trigger={
              <Button variant={chatbot.apiKeyHint ? "outline" : "default"} className="w-fit">
                {chatbot.apiKeyHint ? "Regenerate key" : "Generate key"}
              </Button>
            }
            title={chatbot.apiKeyHint ? "Replace the API key?" : "Generate an API key?"}
            description={
              chatbot.apiKeyHint
                ? "The current key stops working at once: apps using it must be given the new one."
                : "The key is shown once; store it somewhere safe."
            }
            confirmLabel={chatbot.apiKeyHint ? "Replace key" : "Generate key"}
            pendingLabel="Generating…"
            onConfirm={async () => {
              const result = await regenerate.mutateAsync();
              setKey(result.apiKey);
            }}
          />
        )}
      </CardContent>
    </Card>
  );
}
