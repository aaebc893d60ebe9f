export { embedKnowledge, scheduleEmbeddings } from "./embed-knowledge.ts";
export { embeddingKey } from "./embedding-key.ts";
export { vectorSupport } from "./vector-support.ts";
