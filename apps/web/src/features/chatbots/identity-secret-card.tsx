"use client";

import { KeyRound } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useRegenerateIdentitySecret } from "./widget-queries";

/** The identity verification secret: only whether one exists is ever read back; a new one is shown once. */
export function IdentitySecretCard({ chatbotId, secretSet }: { chatbotId: string; secretSet: boolean }) {
  const regenerate = useRegenerateIdentitySecret(chatbotId);
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Identity secret</CardTitle>
        <CardDescription>
          <code>userHash = HMAC-SHA256(userId, secret)</code>, computed on your server. Never put the secret in a page.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <p className="text-sm" data-testid="identity-secret-state">
          {secretSet ? "A secret is set." : "No secret yet."}
        </p>
        {secret && (
          <Alert>
            <KeyRound aria-hidden="true" />
            <AlertTitle>Copy the secret now: it is shown only once</AlertTitle>
            <AlertDescription className="flex flex-col gap-2">
              <CopyField label="New identity secret" value={secret} mono />
            </AlertDescription>
          </Alert>
        )}
        <ConfirmDialog
          trigger={
            <Button variant={secretSet ? "outline" : "default"} className="w-fit">
              {secretSet ? "Regenerate secret" : "Generate secret"}
            </Button>
          }
          title={secretSet ? "Replace the identity secret?" : "Generate an identity secret?"}
          description={
            secretSet
              ? "The current secret stops working at once: signatures made with it are refused until your server uses the new one."
              : "The secret is shown once; store it on your server."
          }
          confirmLabel={secretSet ? "Replace secret" : "Generate secret"}
          pendingLabel="Generating…"
          onConfirm={async () => {
            setSecret((await regenerate.mutateAsync()).identitySecret);
          }}
        />
      </CardContent>
    </Card>
  );
}
