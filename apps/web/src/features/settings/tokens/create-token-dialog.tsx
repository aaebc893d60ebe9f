"use client";

import type { ApiTokenCreated } from "@tandem/contracts";
import { Plus, TriangleAlert } from "lucide-react";
import { type FormEvent, useState } from "react";
import { CopyField } from "@/components/copy-field";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { errorMessage } from "@/lib/api";
import { useCreateApiToken } from "./queries";

const EXPIRY_OPTIONS = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "No expiration" },
] as const;
type Expiry = (typeof EXPIRY_OPTIONS)[number]["value"];

/** Creates a token and shows its plaintext exactly once. */
export function CreateTokenDialog() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<Expiry>("90");
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const create = useCreateApiToken();

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setName("");
      setExpiry("90");
      setCreated(null);
      create.reset();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), expiresInDays: expiry === "never" ? undefined : Number(expiry) },
      { onSuccess: setCreated },
    );
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden="true" />
          Create token
        </Button>
      </DialogTrigger>
      <DialogContent
        // Once the token is on screen, only the explicit "Done" closes the dialog: a stray click
        // outside would lose the one chance to copy it.
        onInteractOutside={(event) => {
          if (created) event.preventDefault();
        }}
      >
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>Token “{created.apiToken.name}” created</DialogTitle>
              <DialogDescription>
                Use it as <code className="font-mono text-foreground">Authorization: Bearer &lt;token&gt;</code>.
              </DialogDescription>
            </DialogHeader>
            <Alert variant="warning">
              <TriangleAlert aria-hidden="true" />
              <AlertTitle>Copy it now</AlertTitle>
              <AlertDescription>
                This is the only time the token is shown. Store it somewhere safe; if you lose it, revoke it and create
                a new one.
              </AlertDescription>
            </Alert>
            <CopyField label="API token" value={created.token} mono />
            <DialogFooter>
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={onSubmit} className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Create an API token</DialogTitle>
              <DialogDescription>The token acts as you, with your role and permissions.</DialogDescription>
            </DialogHeader>
            <div className="flex flex-col gap-2">
              <Label htmlFor="token-name">Name</Label>
              <Input
                id="token-name"
                required
                maxLength={100}
                placeholder="e.g. CRM sync"
                value={name}
                onChange={(event) => setName(event.target.value)}
              />
            </div>
            <div className="flex flex-col gap-2">
              <Label htmlFor="token-expiry">Expires after</Label>
              <Select value={expiry} onValueChange={(value) => setExpiry(value as Expiry)}>
                <SelectTrigger id="token-expiry" className="w-44">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {EXPIRY_OPTIONS.map((option) => (
                    <SelectItem key={option.value} value={option.value}>
                      {option.label}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            {create.error && (
              <Alert variant="destructive">
                <TriangleAlert aria-hidden="true" />
                <AlertDescription>{errorMessage(create.error)}</AlertDescription>
              </Alert>
            )}
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              <Button type="submit" disabled={create.isPending || name.trim() === ""}>
                {create.isPending ? "Creating…" : "Create token"}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
