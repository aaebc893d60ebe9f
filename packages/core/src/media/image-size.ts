import sharp from "sharp";

/** An image's upright pixel size (EXIF orientation applied), or null when the bytes are not an image sharp reads. */
export async function imageSize(bytes: Uint8Array): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(bytes).metadata();
    const size = meta.autoOrient ?? meta;
    return size.width && size.height ? { width: size.width, height: size.height } : null;
  } catch {
    return null;
  }
}
