"use client";

import type { SimulatorCustomer } from "@tandem/contracts";
import { UserPlus } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { Avatar, AvatarFallback } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { formatRelative, initials } from "@/lib/format";
import { cn } from "@/lib/utils";
import { newPsid, PRESET_CUSTOMERS, type SimulatedCustomer } from "./customers";

/** Ready-made customers first, then everyone the simulator knows (earlier sessions, new ones). */
export function CustomerPicker({
  selected,
  onSelect,
  known,
  loading,
}: {
  selected: SimulatedCustomer;
  onSelect: (customer: SimulatedCustomer) => void;
  known: SimulatorCustomer[];
  loading: boolean;
}) {
  const nameId = useId();
  const [name, setName] = useState("");
  const [added, setAdded] = useState<SimulatedCustomer[]>([]);
  const activity = new Map(known.map((c) => [c.psid, c.lastActivityAt]));
  const listed = new Set<string>();
  const customers = [...PRESET_CUSTOMERS, ...added, ...known].filter((c) => {
    if (listed.has(c.psid)) return false;
    listed.add(c.psid);
    return true;
  });

  const add = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    const customer = { psid: newPsid(), name: trimmed };
    setAdded((list) => [customer, ...list]);
    onSelect(customer);
    setName("");
  };

  return (
    <section
      aria-labelledby="customers-heading"
      className="flex w-72 shrink-0 flex-col rounded-xl border bg-card max-md:max-h-72 max-md:w-full"
    >
      <h2 id="customers-heading" className="border-b px-4 py-3 text-sm font-semibold">
        Customers
      </h2>
      <ul className="flex min-h-0 flex-1 flex-col gap-0.5 overflow-y-auto p-2">
        {customers.map((c) => {
          const active = c.psid === selected.psid;
          const last = activity.get(c.psid);
          return (
            <li key={c.psid}>
              <button
                type="button"
                aria-pressed={active}
                onClick={() => onSelect({ psid: c.psid, name: c.name })}
                className={cn(
                  "flex w-full items-center gap-3 rounded-lg px-2 py-2 text-left outline-none transition-colors",
                  "hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  active && "bg-accent",
                )}
              >
                <Avatar className="size-9">
                  <AvatarFallback>{initials(c.name || c.psid)}</AvatarFallback>
                </Avatar>
                <span className="flex min-w-0 flex-col">
                  <span className="truncate text-sm font-medium">{c.name || "Unnamed customer"}</span>
                  <span className="truncate font-mono text-xs text-muted-foreground">
                    {c.psid}
                    {last ? ` · ${formatRelative(last)}` : ""}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
        {loading && <Skeleton className="mx-2 my-1 h-10" />}
      </ul>
      <form onSubmit={add} className="flex flex-col gap-2 border-t p-3">
        <label htmlFor={nameId} className="text-xs font-medium text-muted-foreground">
          New customer
        </label>
        <div className="flex gap-2">
          <Input
            id={nameId}
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="Name, e.g. Ngọc Anh"
            maxLength={120}
            autoComplete="off"
          />
          <Button type="submit" size="icon-sm" variant="outline" disabled={!name.trim()} aria-label="Add customer">
            <UserPlus aria-hidden="true" />
          </Button>
        </div>
      </form>
    </section>
  );
}
