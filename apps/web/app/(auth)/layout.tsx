import type { ReactNode } from "react";
import { Wordmark } from "@/components/wordmark";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-muted/40 px-4 py-12">
      <main className="flex w-full max-w-sm flex-col gap-6">
        <div className="flex justify-center">
          <Wordmark className="text-lg" />
        </div>
        {children}
        <p className="text-center text-xs text-muted-foreground">
          AI chatbots and your team, answering customers together.
        </p>
      </main>
    </div>
  );
}
