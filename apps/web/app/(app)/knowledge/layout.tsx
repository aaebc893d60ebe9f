import type { ReactNode } from "react";
import { KnowledgeRealtime } from "@/features/knowledge/realtime";

export default function KnowledgeLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex-1 overflow-y-auto">
      <KnowledgeRealtime />
      <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-8 sm:py-8">{children}</div>
    </div>
  );
}
