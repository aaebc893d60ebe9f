import { ShieldX } from "lucide-react";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";

export function ForbiddenState() {
  return (
    <EmptyState
      icon={ShieldX}
      title="You don't have access to this page"
      description="Your role in this workspace does not include it. Ask an owner or admin if you need access."
      action={
        <Button asChild variant="outline">
          <Link href="/dashboard">Back to the inbox</Link>
        </Button>
      }
      className="py-24"
    />
  );
}
