"use client";

import { useEffect, useId, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { useModerationSettings, useUpdateModerationSettings } from "./queries";

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The moderation settings: the shop's own phone numbers and e-mail addresses, one per line. A bot
 * answer that gives out only these is not flagged as personal data. OWNER / ADMIN edit them.
 */
export function ContactAllowList() {
  const me = useCurrentUser();
  const manage = can(me, "settings.manage");
  const settings = useModerationSettings();
  const update = useUpdateModerationSettings();
  const [phones, setPhones] = useState("");
  const [emails, setEmails] = useState("");
  const ids = { phones: useId(), emails: useId(), help: useId() };

  useEffect(() => {
    if (!settings.data) return;
    setPhones(settings.data.allowedPhones.join("\n"));
    setEmails(settings.data.allowedEmails.join("\n"));
  }, [settings.data]);

  return (
    <Card>
      <CardContent>
        <form
          aria-label="Your shop's contact details"
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            update.mutate({ allowedPhones: lines(phones), allowedEmails: lines(emails) });
          }}
        >
          <div className="flex flex-col gap-1">
            <h2 className="text-sm font-medium">Your shop's contact details</h2>
            <p id={ids.help} className="text-sm text-muted-foreground">
              Phone numbers and e-mail addresses a bot may give to customers. An answer that contains only these is not
              flagged as personal data. One per line; a number matches however it is written (+66 2 123 4567 or 02 123
              4567).
            </p>
          </div>
          {settings.isError && (
            <Alert variant="destructive">
              <AlertDescription>{errorMessage(settings.error)}</AlertDescription>
            </Alert>
          )}
          {settings.isPending ? (
            <Skeleton className="h-24 w-full" />
          ) : (
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={ids.phones}>Phone numbers</Label>
                <Textarea
                  id={ids.phones}
                  aria-describedby={ids.help}
                  rows={3}
                  value={phones}
                  readOnly={!manage}
                  placeholder="+66 2 123 4567"
                  onChange={(e) => setPhones(e.target.value)}
                />
              </div>
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={ids.emails}>E-mail addresses</Label>
                <Textarea
                  id={ids.emails}
                  aria-describedby={ids.help}
                  rows={3}
                  value={emails}
                  readOnly={!manage}
                  placeholder="hello@yourshop.com"
                  onChange={(e) => setEmails(e.target.value)}
                />
              </div>
            </div>
          )}
          {manage ? (
            <div className="flex flex-wrap items-center gap-3">
              <Button type="submit" disabled={update.isPending || !settings.data}>
                {update.isPending ? "Saving…" : "Save contact details"}
              </Button>
              <p role="status" className="text-sm text-muted-foreground">
                {update.isSuccess && !update.isPending && "Contact details saved."}
              </p>
            </div>
          ) : (
            <p className="text-sm text-muted-foreground">Only owners and admins can change these.</p>
          )}
          {update.isError && (
            <Alert variant="destructive">
              <AlertDescription>Could not save the contact details: {errorMessage(update.error)}</AlertDescription>
            </Alert>
          )}
        </form>
      </CardContent>
    </Card>
  );
}
