/** Tags are compared as typed by nobody in particular: trimmed, inner spaces collapsed, lower case. */
export const normalizeTag = (tag: string): string => tag.trim().replace(/\s+/g, " ").toLowerCase();

/** Normalised, empty ones dropped, duplicates removed (first occurrence wins the position). */
export const normalizeTags = (tags: readonly string[]): string[] => [
  ...new Set(tags.map(normalizeTag).filter(Boolean)),
];
