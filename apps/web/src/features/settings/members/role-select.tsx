"use client";

import { Role } from "@tandem/contracts";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ROLE_LABELS } from "@/features/auth/permissions";

export function RoleSelect({
  id,
  value,
  onChange,
  allowed,
  disabled,
  label,
  className,
}: {
  id?: string;
  value: Role;
  onChange: (role: Role) => void;
  /** Roles that may be picked; the others are listed but disabled. */
  allowed: readonly Role[];
  disabled?: boolean;
  /** Accessible name when there is no visible <label for=id>. */
  label?: string;
  className?: string;
}) {
  return (
    <Select value={value} onValueChange={(next) => onChange(Role.parse(next))} disabled={disabled}>
      <SelectTrigger id={id} aria-label={label} size="sm" className={className}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {Role.options.map((role) => (
          <SelectItem key={role} value={role} disabled={!allowed.includes(role)}>
            {ROLE_LABELS[role]}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
