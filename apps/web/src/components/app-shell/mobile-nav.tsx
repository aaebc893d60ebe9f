"use client";

import type { MeResponse } from "@tandem/contracts";
import { Menu } from "lucide-react";
import Link from "next/link";
import { Dialog as DialogPrimitive } from "radix-ui";
import { type MouseEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Wordmark } from "@/components/wordmark";
import { SidebarContent } from "./sidebar";

/**
 * Below 1,024 px the sidebar would take most of a phone's width: a top bar holds a menu button that
 * opens the same navigation (and the user menu) as a drawer from the left.
 */
export function MobileTopBar({ me }: { me: MeResponse | undefined }) {
  const [open, setOpen] = useState(false);
  // Following a link closes the drawer (also a link to the page already shown, and the user menu's
  // links: React events bubble out of its portal into the drawer).
  const closeOnLink = (event: MouseEvent) => {
    if ((event.target as Element).closest("a[href]")) setOpen(false);
  };

  return (
    <header className="flex h-14 shrink-0 items-center gap-2 border-b bg-sidebar px-2 lg:hidden">
      <DialogPrimitive.Root open={open} onOpenChange={setOpen}>
        <DialogPrimitive.Trigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label="Open the menu">
            <Menu aria-hidden="true" />
          </Button>
        </DialogPrimitive.Trigger>
        <DialogPrimitive.Portal>
          <DialogPrimitive.Overlay className="fixed inset-0 z-50 bg-zinc-950/40 motion-safe:data-[state=open]:animate-fade-in" />
          <DialogPrimitive.Content
            aria-describedby={undefined}
            onClick={closeOnLink}
            className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground shadow-lg outline-none"
          >
            <DialogPrimitive.Title className="sr-only">Menu</DialogPrimitive.Title>
            <SidebarContent me={me} />
          </DialogPrimitive.Content>
        </DialogPrimitive.Portal>
      </DialogPrimitive.Root>
      <Link
        href="/dashboard"
        className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
        aria-label="Tandem, go to the inbox"
      >
        <Wordmark />
      </Link>
    </header>
  );
}
