import type { KnowledgeSourceType } from "@tandem/contracts";

export const knowledgeKeys = {
  all: ["knowledge"] as const,
  sources: ["knowledge", "sources"] as const,
  sourceList: (filter: SourceFilter) => ["knowledge", "sources", "list", filter] as const,
  source: (id: string) => ["knowledge", "sources", "detail", id] as const,
  documents: (sourceId: string) => ["knowledge", "documents", "list", sourceId] as const,
  document: (id: string) => ["knowledge", "documents", "detail", id] as const,
  chunks: (documentId: string) => ["knowledge", "chunks", documentId] as const,
  faq: (sourceId: string) => ["knowledge", "faq", sourceId] as const,
  limits: ["knowledge", "limits"] as const,
};

export interface SourceFilter {
  type?: KnowledgeSourceType;
  chatbotId?: string;
}
