"use client";

import { FlaskConical, Info, PowerOff } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { useHealth } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { ChatPane } from "./chat-pane";
import { CustomerPicker } from "./customer-picker";
import { PRESET_CUSTOMERS, type SimulatedCustomer } from "./customers";
import { useSimulatorCustomers } from "./queries";

export function SimulatorPage() {
  const health = useHealth();

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-hidden px-8 pt-8 pb-6">
      <PageHeader
        title="Messenger simulator"
        description="Chat as a Messenger customer of the simulated Page and watch the bot and your agents answer."
      />
      {health.isPending ? (
        <Skeleton className="h-96 w-full max-w-5xl" />
      ) : health.isError ? (
        <Alert variant="destructive" className="max-w-5xl">
          <AlertDescription>{errorMessage(health.error)}</AlertDescription>
        </Alert>
      ) : health.data.simulator ? (
        <SimulatorWorkspace />
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
      <div className="flex min-h-0 w-full max-w-5xl flex-1 gap-4">
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
