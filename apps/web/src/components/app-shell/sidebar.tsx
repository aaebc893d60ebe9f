"use client";

import type { MeResponse, Permission } from "@tandem/contracts";
import {
  BarChart3,
  BookOpen,
  Bot,
  BotMessageSquare,
  FlaskConical,
  History,
  Inbox,
  KeyRound,
  type LucideIcon,
  MessageSquareText,
  MessagesSquare,
  ScrollText,
  ShieldAlert,
  SlidersHorizontal,
  Store,
  Users,
  UsersRound,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { Wordmark } from "@/components/wordmark";
import { WorkspaceSwitcher } from "@/features/account/workspace-switcher";
import { can } from "@/features/auth/permissions";
import { useHealth } from "@/features/auth/queries";
import { OpenFlagCountBadge } from "@/features/moderation/open-count-badge";
import { cn } from "@/lib/utils";
import { UserMenu } from "./user-menu";

interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** Shown only to roles holding this permission; no permission means everyone. */
  permission?: Permission;
  /** Shown only when the server runs the simulator (or the demo). */
  simulatorOnly?: boolean;
  /** A count after the label (rendered only when the item is shown). */
  Badge?: () => ReactNode;
}

const NAV: { label?: string; items: NavItem[] }[] = [
  {
    items: [
      { href: "/dashboard", label: "Inbox", icon: Inbox },
      { href: "/contacts", label: "Contacts", icon: UsersRound },
      { href: "/chatbots", label: "Chatbots", icon: BotMessageSquare, permission: "chatbots.read" },
      { href: "/knowledge", label: "Knowledge", icon: BookOpen, permission: "chatbots.read" },
      {
        href: "/moderation",
        label: "Moderation",
        icon: ShieldAlert,
        permission: "moderation.review",
        Badge: OpenFlagCountBadge,
      },
      { href: "/logs", label: "Message log", icon: ScrollText, permission: "logs.read" },
      { href: "/analytics", label: "Analytics", icon: BarChart3, permission: "analytics.read" },
    ],
  },
  {
    label: "Try it out",
    items: [{ href: "/simulator", label: "Simulator", icon: FlaskConical, simulatorOnly: true }],
  },
  {
    label: "Settings",
    items: [
      { href: "/settings/channels", label: "Channels", icon: MessagesSquare, permission: "channels.manage" },
      { href: "/settings/provider", label: "AI provider", icon: Bot, permission: "providers.manage" },
      { href: "/settings/integrations", label: "Integrations", icon: Store, permission: "integrations.manage" },
      { href: "/settings/members", label: "Members", icon: Users, permission: "members.manage" },
      { href: "/settings/audit-log", label: "Audit log", icon: History, permission: "audit.read" },
      // Everyone reads the library (to know the shortcuts); OWNER and ADMIN change it.
      { href: "/settings/inbox", label: "Inbox settings", icon: SlidersHorizontal },
      { href: "/settings/canned-responses", label: "Canned responses", icon: MessageSquareText },
      { href: "/settings/tokens", label: "API tokens", icon: KeyRound },
    ],
  },
];

/** The app's sidebar from 1,024 px up; below, the same navigation opens as a drawer from the top bar. */
export function Sidebar({ me }: { me: MeResponse | undefined }) {
  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-sidebar-border bg-sidebar text-sidebar-foreground max-lg:hidden">
      <SidebarContent me={me} />
    </aside>
  );
}

export function SidebarContent({ me }: { me: MeResponse | undefined }) {
  const pathname = usePathname();
  const health = useHealth();
  const simulator = Boolean(health.data?.simulator || health.data?.demo);

  return (
    <>
      <div className="flex h-14 shrink-0 items-center gap-2 border-b border-sidebar-border px-4">
        <Link
          href="/dashboard"
          className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          aria-label="Tandem, go to the inbox"
        >
          <Wordmark />
        </Link>
      </div>
      <div className="px-2 pt-4 pb-1">
        {me ? <WorkspaceSwitcher me={me} /> : <Skeleton className="mx-2 h-4 w-28" />}
      </div>
      <nav aria-label="Main" className="flex flex-1 flex-col gap-5 overflow-y-auto px-3 py-2">
        {NAV.map((section) => {
          const items = section.items.filter(
            (item) => (!item.permission || can(me, item.permission)) && (!item.simulatorOnly || simulator),
          );
          if (me && items.length === 0) return null;
          if (!me && section.items.every((item) => item.simulatorOnly)) return null;
          return (
            <div key={section.label ?? "main"} className="flex flex-col gap-0.5">
              {section.label && (
                <p className="px-2 pb-1 text-xs font-medium uppercase tracking-wide text-muted-foreground/80">
                  {section.label}
                </p>
              )}
              {me
                ? items.map((item) => <NavLink key={item.href} item={item} pathname={pathname} />)
                : section.items.map((item) => <Skeleton key={item.href} className="my-1 h-7 w-full" />)}
            </div>
          );
        })}
      </nav>
      <div className="border-t border-sidebar-border p-2">
        <UserMenu me={me} />
      </div>
    </>
  );
}

function NavLink({ item, pathname }: { item: NavItem; pathname: string }) {
  const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
  const Icon = item.icon;
  return (
    <Link
      href={item.href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex h-8 items-center gap-2.5 max-lg:h-10 rounded-md px-2 text-sm font-medium outline-none transition-colors",
        "hover:bg-sidebar-accent hover:text-sidebar-accent-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
        active && "bg-sidebar-accent text-sidebar-accent-foreground",
      )}
    >
      <Icon className={cn("size-4", active ? "text-primary" : "text-muted-foreground")} aria-hidden="true" />
      {item.label}
      {item.Badge && <item.Badge />}
    </Link>
  );
}
