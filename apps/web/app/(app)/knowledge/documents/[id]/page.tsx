import type { Metadata } from "next";
import { DocumentPage } from "@/features/knowledge/document-page";

export const metadata: Metadata = { title: "Document" };

export default function Page() {
  return <DocumentPage />;
}
