"use client";

import { ChevronDown } from "lucide-react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";

/** A free-text model name with the provider's suggestions one click (or Enter) away. */
export function ModelField({
  id,
  value,
  suggestions,
  invalid,
  describedBy,
  onChange,
}: {
  id: string;
  value: string;
  suggestions: readonly string[];
  invalid: boolean;
  describedBy: string | undefined;
  onChange: (model: string) => void;
}) {
  return (
    <div className="flex gap-2">
      <Input
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
        placeholder={suggestions[0] ?? "model name"}
        className="font-mono"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
      />
      {suggestions.length > 0 && (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="outline" className="shrink-0">
              Suggestions
              <ChevronDown aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="min-w-56">
            <DropdownMenuLabel className="text-xs text-muted-foreground">Suggested models</DropdownMenuLabel>
            {suggestions.map((model) => (
              <DropdownMenuItem key={model} onSelect={() => onChange(model)} className="font-mono">
                {model}
              </DropdownMenuItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
      )}
    </div>
  );
}
