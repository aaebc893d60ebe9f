/**
 * The language of a document where its script says it (`document.language`): Thai, Japanese (kana
 * among the characters), Chinese (Han without kana), Korean. Latin-script text could be any of many
 * languages, so it is left unknown (null) rather than guessed.
 */
export function scriptLanguage(text: string): string | null {
  const sample = text.slice(0, 20_000);
  const count = (re: RegExp) => sample.match(re)?.length ?? 0;
  const letters = count(/\p{L}/gu);
  if (letters === 0) return null;
  const thai = count(/\p{Script=Thai}/gu);
  const kana = count(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu);
  const han = count(/\p{Script=Han}/gu);
  const hangul = count(/\p{Script=Hangul}/gu);
  const share = (n: number) => n / letters;
  if (share(thai) >= 0.3) return "th";
  if (share(kana) >= 0.1 && share(kana + han) >= 0.3) return "ja";
  if (share(han) >= 0.3) return "zh";
  if (share(hangul) >= 0.3) return "ko";
  return null;
}
