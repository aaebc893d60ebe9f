/**
 * Small but valid media for the content customers "send": a 16×16 JPEG and an 8×8 PNG in LINE green,
 * and byte blobs that start like the containers LINE serves (MP4 video, M4A audio, PDF), so a client
 * that sniffs or stores them sees the right kind of file.
 */
export const SAMPLE_JPEG = Buffer.from(
  "/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABADASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAEBv/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AAAiWf/Z",
  "base64",
);

export const SAMPLE_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWNgOx6KFTEMLQkAQKxIgXAi5VsAAAAASUVORK5CYII=",
  "base64",
);

function isoBox(brand: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.writeUInt32BE(24, 0);
  bytes.write("ftyp", 4, "latin1");
  bytes.write(brand, 8, "latin1");
  bytes.write(`${brand}isom`, 16, "latin1");
  return bytes;
}

export const SAMPLE_MP4 = isoBox("mp42", 1024);
export const SAMPLE_M4A = isoBox("M4A ", 512);
export const SAMPLE_PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  "latin1",
);

export const SAMPLE_CONTENT = {
  image: { contentType: "image/jpeg", bytes: SAMPLE_JPEG },
  video: { contentType: "video/mp4", bytes: SAMPLE_MP4 },
  audio: { contentType: "audio/x-m4a", bytes: SAMPLE_M4A },
  file: { contentType: "application/pdf", bytes: SAMPLE_PDF },
} as const;
