/**
 * A widget's custom CSS is pasted by an admin and served to every visitor, inside the widget's Shadow
 * DOM. It may style the widget, never reach out of it or run script. Before it is stored:
 * - comments are removed (they could split the constructs below);
 * - every `<` is removed: no `</style>` can close the style element and open markup;
 * - `@import` rules are removed (no stylesheet from elsewhere, which would bypass this check);
 * - `url(…)` of a `javascript:`, `vbscript:` or `data:text/html` address becomes `none` (with the rest
 *   of that declaration's value);
 * - `expression(…)` (old IE), `behavior:` and `-moz-binding:` declarations are removed.
 * CSS escapes that spell letters, digits or `:`, `(`, `@`, `<` (`\69mport`, `u\72l(`) are decoded
 * first, so they cannot hide a removed construct; other escapes (`content: "\201C"`) are kept.
 * Ordinary `url(https://…)` fonts and images stay allowed.
 */

const PLAIN = /[A-Za-z0-9:@(<]/;

function decodeSneakyEscapes(css: string): string {
  return css.replace(
    /\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|([^0-9a-fA-F\n\r\f]))/g,
    (match, hex?: string, char?: string) => {
      const decoded = hex ? String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff)) : char!;
      return PLAIN.test(decoded) ? decoded : match;
    },
  );
}

const RULES: [RegExp, string][] = [
  [/\/\*[\s\S]*?(\*\/|$)/g, ""],
  [/</g, ""],
  [/@import\b[^;{}]*;?/gi, ""],
  // To the end of the declaration: `alert(1)` inside would end a `[^)]*` match early.
  [/url\(\s*['"]?\s*(javascript|vbscript|data\s*:\s*text\/html)[^;}]*/gi, "none"],
  [/expression\s*\([^;}]*/gi, ""],
  [/(behavior|-moz-binding)\s*:[^;}]*;?/gi, ""],
];

/** The CSS as it is stored and served; null for nothing left to apply. */
export function sanitizeCustomCss(css: string | null): string | null {
  if (css === null) return null;
  let out = decodeSneakyEscapes(css);
  // Repeat until stable: removing one construct must not assemble another (`@im@importport`).
  for (let previous = ""; previous !== out; ) {
    previous = out;
    for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  }
  out = out.trim();
  return out === "" ? null : out;
}
