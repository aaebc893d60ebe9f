"use client";

import type { AnalyticsDay } from "@tandem/contracts";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const SERIES: { key: keyof AnalyticsDay; label: string; color: string }[] = [
  { key: "conversations", label: "Conversations", color: "var(--chart-1, #2563eb)" },
  { key: "botResponses", label: "Bot responses", color: "var(--chart-2, #16a34a)" },
  { key: "handoffs", label: "Handoffs", color: "var(--chart-3, #ea580c)" },
];

const shortDay = (day: string) => day.slice(5);

/**
 * Conversations, bot responses and handoffs per day. The chart is hidden from screen readers: the
 * table beside it (`DailyTable`) carries the same numbers.
 */
export function DailyChart({ days }: { days: readonly AnalyticsDay[] }) {
  return (
    <div className="h-64 w-full" aria-hidden="true" data-testid="daily-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={[...days]} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="date" tickFormatter={shortDay} fontSize={12} minTickGap={12} />
          <YAxis allowDecimals={false} fontSize={12} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {SERIES.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} radius={[2, 2, 0, 0]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
