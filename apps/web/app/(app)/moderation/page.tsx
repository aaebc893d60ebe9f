import type { Metadata } from "next";
import { ModerationPage } from "@/features/moderation/moderation-page";

export const metadata: Metadata = { title: "Moderation" };

export default function Page() {
  return (
    <div className="flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-4xl px-4 py-6 sm:px-8 sm:py-8">
        <ModerationPage />
      </div>
    </div>
  );
}
