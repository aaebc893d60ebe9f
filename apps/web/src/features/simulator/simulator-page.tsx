"use client";

import { FlaskConical, Info, Mail, MessageCircle, PowerOff, ShoppingBag } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { useHealth } from "@/features/auth/queries";
import { LineIcon } from "@/features/settings/channels/channel-icon";
import { errorMessage } from "@/lib/api";
import { ChatPane } from "./chat-pane";
import { CustomerPicker } from "./customer-picker";
import { PRESET_CUSTOMERS, type SimulatedCustomer } from "./customers";
import { LinePane } from "./line-pane";
import { MailboxPane } from "./mailbox-pane";
import { useSimulatorCustomers } from "./queries";
import { ShopifyPane } from "./shopify-pane";

const TABS = {
  messenger: {
    title: "Messenger simulator",
    description: "Chat as a Messenger customer of the simulated Page and watch the bot and your agents answer.",
  },
  line: {
    title: "LINE simulator",
    description: "Chat as a LINE user of the simulated Official Account, 1:1 or in a group, and watch the bot answer.",
  },
  shopify: {
    title: "Shopify simulator",
    description: "The simulated store's catalog: change a price or the stock and Tandem gets the product webhook.",
  },
  mailbox: {
    title: "Simulated mailbox",
    description: "Every mail Tandem sends while no SMTP server is configured: password resets, invitations, notices.",
  },
} as const;
type Tab = keyof typeof TABS;

export function SimulatorPage() {
  const health = useHealth();
  const router = useRouter();
  const pathname = usePathname();
  // `?tab=mailbox` opens the mailbox (linked from the password-reset page in the demo), `?tab=line` LINE,
  // `?tab=shopify` the simulated store.
  const requested = useSearchParams().get("tab");
  const tab: Tab = requested === "mailbox" || requested === "line" || requested === "shopify" ? requested : "messenger";
  const setTab = (next: string) => router.replace(next === "messenger" ? pathname : `${pathname}?tab=${next}`);

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-hidden px-4 pt-4 pb-4 max-md:overflow-y-auto sm:px-8 sm:pt-8 sm:pb-6">
      <PageHeader title={TABS[tab].title} description={TABS[tab].description} />
      {health.isPending ? (
        <Skeleton className="h-96 w-full max-w-5xl" />
      ) : health.isError ? (
        <Alert variant="destructive" className="max-w-5xl">
          <AlertDescription>{errorMessage(health.error)}</AlertDescription>
        </Alert>
      ) : health.data.simulator ? (
        <Tabs value={tab} onValueChange={setTab} className="flex min-h-0 flex-1 flex-col gap-4 max-md:flex-none">
          {/* On a phone the four tabs fit without their icons. */}
          <TabsList>
            <TabsTrigger value="messenger">
              <MessageCircle aria-hidden="true" className="max-sm:hidden" />
              Messenger
            </TabsTrigger>
            <TabsTrigger value="line">
              <LineIcon className="size-4 max-sm:hidden" />
              LINE
            </TabsTrigger>
            <TabsTrigger value="shopify">
              <ShoppingBag aria-hidden="true" className="max-sm:hidden" />
              Shopify
            </TabsTrigger>
            <TabsTrigger value="mailbox">
              <Mail aria-hidden="true" className="max-sm:hidden" />
              Mailbox
            </TabsTrigger>
          </TabsList>
          <TabsContent value="messenger" className="flex min-h-0 flex-1 flex-col gap-4 max-md:flex-none">
            <SimulatorWorkspace />
          </TabsContent>
          <TabsContent value="line" className="flex min-h-0 flex-1 flex-col gap-4 max-md:flex-none">
            <LinePane />
          </TabsContent>
          <TabsContent value="shopify" className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto max-md:flex-none">
            <ShopifyPane />
          </TabsContent>
          <TabsContent value="mailbox" className="flex min-h-0 flex-1 flex-col gap-4 max-md:flex-none">
            <MailboxPane />
          </TabsContent>
        </Tabs>
      ) : (
        <EmptyState
          icon={PowerOff}
          title="The simulator is off"
          description="This server does not run the simulated platforms. Start Tandem with SIMULATOR=1 (it is on by default outside production)."
          className="flex-1"
        />
      )}
    </div>
  );
}

function SimulatorWorkspace() {
  const customers = useSimulatorCustomers(true);
  const [customer, setCustomer] = useState<SimulatedCustomer>(PRESET_CUSTOMERS[0]!);
  const page = customers.data?.pages.find((p) => p.id === customers.data?.defaultPageId);

  return (
    <>
      <Alert variant="info" className="max-w-5xl">
        <Info aria-hidden="true" />
        <AlertDescription>
          <p>
            Nothing here reaches Facebook. Each message goes to Tandem as a webhook signed with the app secret, exactly
            as Meta delivers it, and the Page&apos;s answers are what Tandem sent to the simulated Send API. The
            conversation shows up in the inbox like any other.
          </p>
        </AlertDescription>
      </Alert>
      {customers.isError && (
        <Alert variant="destructive" className="max-w-5xl">
          <AlertDescription>{errorMessage(customers.error)}</AlertDescription>
        </Alert>
      )}
      <div className="flex min-h-0 w-full max-w-5xl flex-1 gap-4 max-md:flex-none max-md:flex-col">
        <CustomerPicker
          selected={customer}
          onSelect={setCustomer}
          known={customers.data?.customers ?? []}
          loading={customers.isPending}
        />
        {page || customers.isPending ? (
          <ChatPane customer={customer} pageName={page?.name ?? "the Page"} />
        ) : (
          <EmptyState
            icon={FlaskConical}
            title="No simulated Page"
            description="The simulator has no Page to write to."
            className="flex-1 rounded-xl border"
          />
        )}
      </div>
    </>
  );
}
