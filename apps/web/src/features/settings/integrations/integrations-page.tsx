"use client";

import type { ShopifyStoreDto } from "@tandem/contracts";
import { Plus, RotateCw, Store, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { EmptyState } from "@/components/empty-state";
import { Notice, useNotice } from "@/components/notice";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ForbiddenState } from "@/features/auth/forbidden-state";
import { can } from "@/features/auth/permissions";
import { useCurrentUser } from "@/features/auth/queries";
import { ProgressBar } from "@/features/knowledge/status";
import { errorMessage, isApiError } from "@/lib/api";
import { formatDateTime, formatRelative } from "@/lib/format";
import { ConnectShopifyDialog } from "./connect-shopify-dialog";
import { useDisconnectShopify, useResyncShopify, useShopifyRealtime, useShopifyStores } from "./queries";

/** The OAuth install comes back here with `?shopify=connected&store=<id>` or `?shopifyError=<message>`. */
const CONNECTED_PARAM = "shopify";
const ERROR_PARAM = "shopifyError";

const METHOD_LABELS: Record<ShopifyStoreDto["authMethod"], string> = {
  access_token: "Access token",
  client_credentials: "Client credentials",
  oauth: "Installed app",
};

/** Settings → Integrations: Shopify stores whose catalog the bots answer from. */
export function IntegrationsPage() {
  const me = useCurrentUser();
  const allowed = can(me, "integrations.manage");
  const stores = useShopifyStores();
  const { notice, show, clear } = useNotice();
  useShopifyRealtime();

  const searchParams = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const connected = searchParams.get(CONNECTED_PARAM);
  const oauthError = searchParams.get(ERROR_PARAM);
  useEffect(() => {
    if (!connected && !oauthError) return;
    show(
      oauthError
        ? { kind: "error", message: `Shopify did not connect: ${oauthError}` }
        : { kind: "success", message: "The store is connected. Its catalog is syncing." },
    );
    router.replace(pathname, { scroll: false });
  }, [connected, oauthError, show, router, pathname]);

  if (!allowed || isApiError(stores.error, 403)) return <ForbiddenState />;

  const list = stores.data?.stores ?? [];
  const connect = (
    <ConnectShopifyDialog
      oauthAvailable={stores.data?.oauthAvailable ?? false}
      trigger={
        <Button disabled={!stores.data}>
          <Plus aria-hidden="true" />
          Connect Shopify
        </Button>
      }
      onConnected={(store) =>
        show({ kind: "success", message: `${store.name ?? store.shopDomain} is connected. Its catalog is syncing.` })
      }
    />
  );

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Integrations"
        description={`Data your bots answer from. Connect a Shopify store so ${me.workspace.name}'s bots quote current prices and stock and show product cards.`}
        actions={list.length > 0 ? connect : undefined}
      />
      <Notice notice={notice} onDismiss={clear} />
      {stores.isError ? (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(stores.error)}</AlertDescription>
        </Alert>
      ) : stores.isPending ? (
        <Skeleton className="h-40 w-full" />
      ) : list.length === 0 ? (
        <Card>
          <EmptyState
            icon={Store}
            title="No Shopify store connected"
            description="Connect your store: products, prices and stock become knowledge your bots answer from, kept current by Shopify's webhooks."
            action={connect}
          />
        </Card>
      ) : (
        list.map((store) => (
          <StoreCard key={store.id} store={store} onNotice={show} webhookUrl={stores.data.webhookUrl} />
        ))
      )}
    </div>
  );
}

function StoreCard({
  store,
  webhookUrl,
  onNotice,
}: {
  store: ShopifyStoreDto;
  webhookUrl: string;
  onNotice: (n: { kind: "success" | "error"; message: string }) => void;
}) {
  const resync = useResyncShopify();
  const disconnect = useDisconnectShopify();
  const { sync } = store;
  const running = sync.state === "running";
  const name = store.name ?? store.shopDomain;
  const progress = sync.total ? (sync.done / sync.total) * 100 : 0;

  return (
    <Card role="region" aria-label={`Shopify store ${name}`}>
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle className="flex flex-wrap items-center gap-2">
            {name}
            <StatusBadge store={store} />
          </CardTitle>
          <CardDescription>
            {store.primaryDomainUrl ? (
              <a
                href={store.primaryDomainUrl}
                target="_blank"
                rel="noreferrer"
                className="underline-offset-4 hover:underline"
              >
                {store.shopDomain}
              </a>
            ) : (
              store.shopDomain
            )}
            {" · "}
            {METHOD_LABELS[store.authMethod]}
            {store.credentialHint ? ` ending ${store.credentialHint}` : ""}
            {store.currency ? ` · ${store.currency}` : ""}
          </CardDescription>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={running || resync.isPending || store.status === "disconnected"}
            onClick={() =>
              resync.mutate(store.id, {
                onError: (error) => onNotice({ kind: "error", message: errorMessage(error) }),
              })
            }
          >
            <RotateCw aria-hidden="true" className={running ? "animate-spin" : undefined} />
            {running ? "Syncing…" : "Resync"}
          </Button>
          <ConfirmDialog
            trigger={
              <Button variant="ghost" size="sm">
                Disconnect
              </Button>
            }
            title={`Disconnect ${name}?`}
            description="Tandem removes its webhooks from the store and deletes the synced products and their knowledge documents. Bots stop answering from this catalog. You can connect the store again later."
            confirmLabel="Disconnect store"
            pendingLabel="Disconnecting…"
            onConfirm={async () => {
              await disconnect.mutateAsync(store.id);
              onNotice({ kind: "success", message: `${name} is disconnected.` });
            }}
          />
        </div>
      </CardHeader>
      <CardContent className="grid gap-4">
        <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
          <Stat label="Products">{store.productCount.toLocaleString()}</Stat>
          <Stat label="Last sync">
            {store.lastSyncedAt ? (
              <time dateTime={store.lastSyncedAt} title={formatDateTime(store.lastSyncedAt)}>
                {formatRelative(store.lastSyncedAt)}
              </time>
            ) : (
              "Never"
            )}
          </Stat>
          <Stat label="Sync mode">
            {sync.mode === "bulk" ? "Bulk operation" : sync.mode === "pages" ? "Pages" : "—"}
          </Stat>
          <Stat label="Webhooks">
            {store.webhooks.verified && store.webhooks.topics.length > 0
              ? `${store.webhooks.topics.length} topics`
              : "Not receiving"}
          </Stat>
        </dl>
        {running && (
          <div className="grid gap-1" aria-live="polite">
            <p className="text-sm text-muted-foreground">
              Syncing the catalog: {sync.done.toLocaleString()}
              {sync.total !== null ? ` of ${sync.total.toLocaleString()}` : ""} products
            </p>
            <ProgressBar value={progress} label={`${name}: sync progress`} className="max-w-md" />
          </div>
        )}
        {sync.state === "failed" && sync.error && (
          <Alert variant="destructive">
            <TriangleAlert aria-hidden="true" />
            <AlertDescription>The last sync failed: {sync.error}</AlertDescription>
          </Alert>
        )}
        {store.statusReason && store.status !== "active" && store.status !== "syncing" && (
          <Alert variant="destructive">
            <TriangleAlert aria-hidden="true" />
            <AlertDescription>{store.statusReason}</AlertDescription>
          </Alert>
        )}
        {(store.webhooks.error || !store.webhooks.verified) && (
          <div className="grid gap-3">
            <Alert>
              <TriangleAlert aria-hidden="true" />
              <AlertDescription>
                {store.webhooks.error ??
                  "Shopify's webhooks cannot be verified without the app's secret, so changes arrive with the nightly refresh or a resync."}
              </AlertDescription>
            </Alert>
            <CopyField label="Webhook address" value={webhookUrl} mono />
          </div>
        )}
        {store.knowledgeSourceId && (
          <p className="text-sm text-muted-foreground">
            Products are knowledge documents in{" "}
            <Link className="underline underline-offset-4" href={`/knowledge/sources/${store.knowledgeSourceId}`}>
              the store's catalog source
            </Link>
            .
          </p>
        )}
      </CardContent>
    </Card>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

function StatusBadge({ store }: { store: ShopifyStoreDto }) {
  if (store.sync.state === "running" || store.status === "syncing") return <Badge variant="secondary">Syncing</Badge>;
  if (store.status === "active") return <Badge variant="outline">Connected</Badge>;
  if (store.status === "disconnected") return <Badge variant="destructive">Disconnected</Badge>;
  return <Badge variant="destructive">Error</Badge>;
}
