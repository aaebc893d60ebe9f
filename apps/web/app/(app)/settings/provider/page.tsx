import type { Metadata } from "next";
import { ProviderPage } from "@/features/settings/provider/provider-page";

export const metadata: Metadata = { title: "AI provider" };

export default function Page() {
  return <ProviderPage />;
}
