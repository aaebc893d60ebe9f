/**
 * OCR with tesseract.js, entirely offline. The language data come from the `@tesseract.js-data/*`
 * npm packages: tesseract reads `{langPath}/{lang}.traineddata.gz` from disk when `langPath` is a
 * local path (its default is a CDN URL). One `langPath` serves every language, and each language is
 * in its own package, so `langPath` is a directory of links to the packages' files. The WebAssembly
 * core is `tesseract.js-core`, required from node_modules. Nothing is downloaded at run time and no
 * install script is needed.
 *
 * A worker takes a few hundred milliseconds to start and holds the models in memory: callers open
 * one (`openOcr`) for a batch of images and close it after.
 */
import { copyFile, mkdir, realpath, rename, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createWorker, OEM } from "tesseract.js";

const require = createRequire(import.meta.url);

/** English and Thai: the languages of the seeds' customers. */
export const OCR_LANGUAGES = ["eng", "tha"] as const;
export type OcrLanguage = (typeof OCR_LANGUAGES)[number];

/**
 * Where a language's trained data is on disk: the LSTM-only, integer-quantised model (`best_int`),
 * smaller and faster than the legacy one and what `OEM.LSTM_ONLY` uses.
 */
export function ocrDataFile(language: OcrLanguage): string {
  const pkg = require.resolve(`@tesseract.js-data/${language}/package.json`);
  return path.join(path.dirname(pkg), "4.0.0_best_int", `${language}.traineddata.gz`);
}

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
}

export interface Ocr {
  recognize(image: Uint8Array): Promise<OcrResult>;
  close(): Promise<void>;
}

/**
 * A directory holding `{lang}.traineddata.gz` for every language, linked (or copied, where links
 * are not allowed) from the npm packages; checked once per process.
 */
let langDir: Promise<string> | undefined;
export function ocrLangPath(): Promise<string> {
  langDir ??= (async () => {
    const dir = path.join(tmpdir(), `tandem-ocr-${process.getuid?.() ?? "user"}`);
    await mkdir(dir, { recursive: true });
    for (const language of OCR_LANGUAGES) {
      const target = path.join(dir, `${language}.traineddata.gz`);
      const source = await realpath(ocrDataFile(language));
      // Kept only when it is a link to this installation's file (not another checkout's, not dangling).
      if ((await realpath(target).catch(() => null)) === source) continue;
      const aside = `${target}.${process.pid}.tmp`;
      await rm(aside, { force: true });
      await symlink(source, aside).catch(() => copyFile(source, aside));
      await rename(aside, target);
    }
    return dir;
  })();
  langDir.catch(() => {
    langDir = undefined;
  });
  return langDir;
}

export async function openOcr(languages: readonly OcrLanguage[] = OCR_LANGUAGES): Promise<Ocr> {
  // `cacheMethod: "none"`: no copy of the data written to the working directory.
  const worker = await createWorker([...languages], OEM.LSTM_ONLY, {
    langPath: await ocrLangPath(),
    gzip: true,
    cacheMethod: "none",
  });
  return {
    async recognize(image) {
      const { data } = await worker.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
      return { text: data.text, confidence: data.confidence };
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
