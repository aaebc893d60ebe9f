"use client";

import type { MeResponse } from "@tandem/contracts";
import { Bell, ChevronsUpDown, LogOut, MonitorSmartphone, UserRound } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Skeleton } from "@/components/ui/skeleton";
import { AlertsDialog } from "@/features/alerts/alerts-dialog";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { useSignOut } from "@/features/auth/queries";
import { initials } from "@/lib/format";

export function UserMenu({ me }: { me: MeResponse | undefined }) {
  const signOut = useSignOut();
  const [alertsOpen, setAlertsOpen] = useState(false);

  if (!me) {
    return (
      <div className="flex items-center gap-2 p-2" aria-hidden="true">
        <Skeleton className="size-8 rounded-full" />
        <div className="flex flex-1 flex-col gap-1.5">
          <Skeleton className="h-3.5 w-24" />
          <Skeleton className="h-3 w-32" />
        </div>
      </div>
    );
  }

  const displayName = me.user.name ?? me.user.email;

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger className="flex w-full items-center gap-2 rounded-md p-2 text-left outline-none hover:bg-sidebar-accent focus-visible:ring-[3px] focus-visible:ring-ring/50 data-[state=open]:bg-sidebar-accent">
          <Avatar aria-hidden="true">
            <AvatarFallback>{initials(displayName)}</AvatarFallback>
          </Avatar>
          <span className="flex min-w-0 flex-1 flex-col">
            <span className="truncate text-sm font-medium text-foreground">{displayName}</span>
            <span className="truncate text-xs text-muted-foreground">{me.user.email}</span>
          </span>
          <ChevronsUpDown className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
          <span className="sr-only">Open the user menu</span>
        </DropdownMenuTrigger>
        <DropdownMenuContent side="top" align="start" className="w-(--radix-dropdown-menu-trigger-width) min-w-56">
          <DropdownMenuLabel className="flex flex-col gap-1.5">
            <span className="truncate">{displayName}</span>
            <span className="truncate text-xs font-normal text-muted-foreground">{me.user.email}</span>
            <span className="flex items-center gap-1.5 text-xs font-normal text-muted-foreground">
              <Badge variant="accent">{ROLE_LABELS[me.role]}</Badge>
              <span className="truncate">in {me.workspace.name}</span>
            </span>
          </DropdownMenuLabel>
          <DropdownMenuSeparator />
          <DropdownMenuItem asChild>
            <Link href="/account">
              <UserRound aria-hidden="true" />
              Profile and password
            </Link>
          </DropdownMenuItem>
          <DropdownMenuItem asChild>
            <Link href="/account/sessions">
              <MonitorSmartphone aria-hidden="true" />
              Sessions
            </Link>
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setAlertsOpen(true)}>
            <Bell aria-hidden="true" />
            Alerts and notifications
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem disabled={signOut.isPending} onSelect={() => signOut.mutate()}>
            <LogOut aria-hidden="true" />
            {signOut.isPending ? "Signing out…" : "Sign out"}
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <AlertsDialog userId={me.user.id} open={alertsOpen} onOpenChange={setAlertsOpen} />
    </>
  );
}
