"use client";

import type { ApiTokenDto } from "@tandem/contracts";
import { KeyRound } from "lucide-react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { TableSkeleton } from "@/components/table-skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";
import { CreateTokenDialog } from "./create-token-dialog";
import { useApiTokens, useRevokeApiToken } from "./queries";

export function TokensPage() {
  const me = useCurrentUser();
  const tokens = useApiTokens();

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="API tokens"
        description={
          <>
            Personal tokens for the admin API (<code className="font-mono text-xs">/api/v1</code>). A token acts as you,
            with your role ({ROLE_LABELS[me.role].toLowerCase()}) in {me.workspace.name}.
          </>
        }
        actions={<CreateTokenDialog />}
      />
      <Card className="gap-4 pb-2">
        <CardHeader>
          <CardTitle>Your tokens</CardTitle>
          <CardDescription>Revoke a token as soon as you no longer need it.</CardDescription>
        </CardHeader>
        <CardContent className="px-0">
          {tokens.isError ? (
            <div className="px-6 pb-4">
              <Alert variant="destructive">
                <AlertDescription>{errorMessage(tokens.error)}</AlertDescription>
              </Alert>
            </div>
          ) : tokens.isPending ? (
            <TableSkeleton rows={2} />
          ) : tokens.data.data.length === 0 ? (
            <EmptyState
              icon={KeyRound}
              title="No API tokens yet"
              description="Create one to call the admin API from scripts and integrations."
            />
          ) : (
            <TokensTable tokens={tokens.data.data} />
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function TokensTable({ tokens }: { tokens: ApiTokenDto[] }) {
  const revoke = useRevokeApiToken();
  const now = Date.now();

  return (
    <Table>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Name</TableHead>
          <TableHead>Token</TableHead>
          <TableHead>Created</TableHead>
          <TableHead>Last used</TableHead>
          <TableHead>Expires</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {tokens.map((token) => {
          const expired = token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now;
          return (
            <TableRow key={token.id}>
              <TableCell className="font-medium">{token.name}</TableCell>
              <TableCell>
                <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs text-muted-foreground">
                  {token.hint}
                </code>
              </TableCell>
              <TableCell className="text-muted-foreground">{formatDate(token.createdAt)}</TableCell>
              <TableCell className="text-muted-foreground">
                {token.lastUsedAt ? (
                  <time dateTime={token.lastUsedAt} title={formatDateTime(token.lastUsedAt)}>
                    {formatRelative(token.lastUsedAt, now)}
                  </time>
                ) : (
                  "Never"
                )}
              </TableCell>
              <TableCell className="text-muted-foreground">
                {token.expiresAt === null ? (
                  "Never"
                ) : expired ? (
                  <Badge variant="destructive">Expired</Badge>
                ) : (
                  <time dateTime={token.expiresAt} title={formatDateTime(token.expiresAt)}>
                    {formatRelative(token.expiresAt, now)}
                  </time>
                )}
              </TableCell>
              <TableCell className="text-right">
                <ConfirmDialog
                  trigger={
                    <Button variant="ghost" size="sm" aria-label={`Revoke the token ${token.name}`}>
                      Revoke
                    </Button>
                  }
                  title={`Revoke “${token.name}”?`}
                  description="Scripts and integrations using this token stop working immediately. This cannot be undone."
                  confirmLabel="Revoke token"
                  pendingLabel="Revoking…"
                  onConfirm={() => revoke.mutateAsync(token.id)}
                />
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
