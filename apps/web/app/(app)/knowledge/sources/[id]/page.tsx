import type { Metadata } from "next";
import { SourcePage } from "@/features/knowledge/source-page";

export const metadata: Metadata = { title: "Knowledge source" };

export default function Page() {
  return <SourcePage />;
}
