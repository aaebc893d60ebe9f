"use client";

import type { MeResponse } from "@tandem/contracts";
import { Check, ChevronsUpDown } from "lucide-react";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ROLE_LABELS } from "@/features/auth/permissions";
import { errorMessage } from "@/lib/api";
import { useSwitchWorkspace, useWorkspaces } from "./queries";

/**
 * The current workspace's name; for someone in several workspaces, a menu that switches between
 * them (the page reloads into the other workspace's inbox).
 */
export function WorkspaceSwitcher({ me }: { me: MeResponse }) {
  const workspaces = useWorkspaces();
  const switchTo = useSwitchWorkspace();
  const list = workspaces.data?.data ?? [];

  if (list.length < 2) {
    return (
      <p className="truncate px-2 text-xs font-medium text-muted-foreground" title={me.workspace.name}>
        {me.workspace.name}
      </p>
    );
  }

  return (
    <div className="flex flex-col gap-1">
      <DropdownMenu>
        <DropdownMenuTrigger
          className="flex w-full items-center gap-1.5 rounded-md px-2 py-1 text-left text-xs font-medium text-muted-foreground outline-none hover:bg-sidebar-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 data-[state=open]:bg-sidebar-accent"
          aria-label={`Workspace: ${me.workspace.name}. Switch workspace`}
          disabled={switchTo.isPending}
        >
          <span className="min-w-0 flex-1 truncate">{switchTo.isPending ? "Switching…" : me.workspace.name}</span>
          <ChevronsUpDown className="size-3.5 shrink-0" aria-hidden="true" />
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-56">
          <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">Workspaces</DropdownMenuLabel>
          <DropdownMenuSeparator />
          {list.map((workspace) => (
            <DropdownMenuItem
              key={workspace.id}
              onSelect={() => {
                if (!workspace.current) switchTo.mutate(workspace.id);
              }}
              aria-current={workspace.current ? "true" : undefined}
            >
              <Check className={workspace.current ? "" : "invisible"} aria-hidden="true" />
              <span className="min-w-0 flex-1 truncate">{workspace.name}</span>
              <span className="text-xs text-muted-foreground">{ROLE_LABELS[workspace.role]}</span>
            </DropdownMenuItem>
          ))}
        </DropdownMenuContent>
      </DropdownMenu>
      {switchTo.isError && (
        <p role="alert" className="px-2 text-xs text-destructive">
          {errorMessage(switchTo.error)}
        </p>
      )}
    </div>
  );
}
