import sharp from "sharp";

/**
 * An image's format as sharp names it (`jpeg`, `png`…) and its upright pixel size (EXIF orientation
 * applied), or null when the bytes are not an image sharp reads.
 */
export async function imageInfo(bytes: Uint8Array): Promise<{ format: string; width: number; height: number } | null> {
  try {
    const meta = await sharp(bytes).metadata();
    const size = meta.autoOrient ?? meta;
    return meta.format && size.width && size.height
      ? { format: meta.format, width: size.width, height: size.height }
      : null;
  } catch {
    return null;
  }
}

/** An image's upright pixel size, or null when the bytes are not an image sharp reads. */
export async function imageSize(bytes: Uint8Array): Promise<{ width: number; height: number } | null> {
  const info = await imageInfo(bytes);
  return info && { width: info.width, height: info.height };
}
