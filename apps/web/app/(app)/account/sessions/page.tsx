import type { Metadata } from "next";
import { SessionsPage } from "@/features/account/sessions-page";

export const metadata: Metadata = { title: "Sessions" };

export default function Page() {
  return (
    <div className="flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-5xl px-4 py-6 sm:px-8 sm:py-8">
        <SessionsPage />
      </div>
    </div>
  );
}
