/**
 * Shopify's product search syntax (the `query` argument), sort keys, and cursor pagination.
 *
 * Supported terms: free words (title, vendor, product type, tags, handle), `title:`, `handle:`,
 * `vendor:`, `product_type:`, `tag:`, `tag_not:`, `status:` (comma list), `id:`, `sku:`,
 * `updated_at:` / `created_at:` with `>`, `>=`, `<`, `<=`, wildcards `*` in values, `-term` / `NOT term`.
 * Terms are ANDed (`AND` is accepted, `OR` is not supported and ANDs too).
 */
import { GraphQLError } from "graphql";
import type { SimProduct } from "./state.ts";

interface Term {
  field: string | null;
  op: "=" | ">" | ">=" | "<" | "<=";
  value: string;
  negate: boolean;
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const re = /(-?[\w.]+:(?:[<>]=?)?(?:"[^"]*"|'[^']*'|\S+))|(-?"[^"]*")|(\S+)/g;
  for (const match of query.matchAll(re)) tokens.push(match[0]);
  return tokens;
}

function parse(query: string): Term[] {
  const terms: Term[] = [];
  let negateNext = false;
  for (const token of tokenize(query)) {
    if (token === "AND" || token === "OR") continue;
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    let raw = token;
    let negate = negateNext;
    negateNext = false;
    if (raw.startsWith("-")) {
      negate = !negate;
      raw = raw.slice(1);
    }
    const m = /^([\w.]+):([<>]=?)?(.*)$/.exec(raw);
    const unquote = (v: string) => v.replace(/^["'](.*)["']$/, "$1");
    if (m) {
      terms.push({ field: m[1]!.toLowerCase(), op: (m[2] as Term["op"]) ?? "=", value: unquote(m[3]!), negate });
    } else {
      terms.push({ field: null, op: "=", value: unquote(raw), negate });
    }
  }
  return terms;
}

function like(haystack: string, pattern: string): boolean {
  const p = pattern.toLowerCase();
  const h = haystack.toLowerCase();
  if (!p.includes("*")) return h === p;
  const re = new RegExp(`^${p.split("*").map(escapeRe).join(".*")}$`);
  return re.test(h);
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compare(a: string, op: Term["op"], b: string): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    default:
      return a === b;
  }
}

function dateValue(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function matches(product: SimProduct, term: Term): boolean {
  const v = term.value;
  switch (term.field) {
    case null: {
      const words = v.toLowerCase();
      const hay = [product.title, product.vendor, product.productType, product.handle, ...product.tags]
        .join(" ")
        .toLowerCase();
      return words.includes("*") ? hay.split(/\s+/).some((w) => like(w, words)) : hay.includes(words);
    }
    case "title":
      return v.includes("*") ? like(product.title, v) : product.title.toLowerCase().includes(v.toLowerCase());
    case "handle":
      return like(product.handle, v);
    case "vendor":
      return like(product.vendor, v);
    case "product_type":
      return like(product.productType, v);
    case "tag":
      return product.tags.some((tag) => like(tag, v));
    case "tag_not":
      return !product.tags.some((tag) => like(tag, v));
    case "status":
      return v
        .split(",")
        .map((s) => s.trim().toUpperCase())
        .includes(product.status);
    case "id":
      return term.op === "=" ? String(product.id) === v : compare(pad(product.id), term.op, pad(Number(v)));
    case "sku":
      return product.variants.some((variant) => variant.sku !== null && like(variant.sku, v));
    case "updated_at":
      return compare(product.updatedAt, term.op, dateValue(v));
    case "created_at":
      return compare(product.createdAt, term.op, dateValue(v));
    default:
      // Shopify ignores fields it does not know and warns in `extensions.search`; so does this.
      return true;
  }
}
const pad = (n: number) => String(n).padStart(20, "0");

export function filterProducts(products: Iterable<SimProduct>, query: string | null | undefined): SimProduct[] {
  const terms = query ? parse(query) : [];
  return [...products].filter((product) => terms.every((term) => matches(product, term) !== term.negate));
}

export const PRODUCT_SORT_KEYS = [
  "ID",
  "TITLE",
  "UPDATED_AT",
  "CREATED_AT",
  "PRODUCT_TYPE",
  "VENDOR",
  "INVENTORY_TOTAL",
  "RELEVANCE",
] as const;

export function productSortValue(product: SimProduct, sortKey: string): string {
  switch (sortKey) {
    case "TITLE":
      return product.title.toLowerCase();
    case "UPDATED_AT":
      return product.updatedAt;
    case "CREATED_AT":
      return product.createdAt;
    case "PRODUCT_TYPE":
      return product.productType.toLowerCase();
    case "VENDOR":
      return product.vendor.toLowerCase();
    case "INVENTORY_TOTAL":
      return pad(product.variants.reduce((sum, v) => sum + Math.max(0, v.inventoryQuantity), 1e9));
    default:
      return "";
  }
}

interface CursorKey {
  v: string;
  id: number;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify({ last_id: key.id, last_value: key.v })).toString("base64");
}

function decodeCursor(cursor: string): CursorKey {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as {
      last_id?: unknown;
      last_value?: unknown;
    };
    if (typeof parsed.last_id === "number" && typeof parsed.last_value === "string") {
      return { id: parsed.last_id, v: parsed.last_value };
    }
  } catch {
    // fall through
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, {
    extensions: { code: "BAD_USER_INPUT" },
  });
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Page<T> {
  items: { node: T; cursor: string }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const MAX_PAGE_SIZE = 250;

/** `first`/`last` are checked like Shopify's: one of them, at most 250. `unbounded` (bulk) returns all. */
export function checkPageArgs(field: string, args: PageArgs): void {
  if (args.first == null && args.last == null) {
    throw new GraphQLError("you must provide one of first or last", {
      extensions: { code: "BAD_USER_INPUT", field },
    });
  }
  for (const name of ["first", "last"] as const) {
    const n = args[name];
    if (n != null && (n < 0 || n > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The '${name}' argument on '${field}' must be between 0 and ${MAX_PAGE_SIZE}.`, {
        extensions: { code: "BAD_USER_INPUT", field, argument: name },
      });
    }
  }
}

/** A page of `all` (already filtered) sorted by (`value`, id), after/before the cursors. */
export function paginate<T>(
  field: string,
  all: T[],
  keyOf: (item: T) => CursorKey,
  args: PageArgs,
  unbounded = false,
): Page<T> {
  if (!unbounded) checkPageArgs(field, args);
  const cmp = (a: CursorKey, b: CursorKey) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.id - b.id);
  const dir = args.reverse ? -1 : 1;
  let keyed = all.map((node) => ({ node, key: keyOf(node) })).sort((a, b) => dir * cmp(a.key, b.key));
  if (args.after) {
    const after = decodeCursor(args.after);
    keyed = keyed.filter((item) => dir * cmp(item.key, after) > 0);
  }
  if (args.before) {
    const before = decodeCursor(args.before);
    keyed = keyed.filter((item) => dir * cmp(item.key, before) < 0);
  }
  const total = keyed.length;
  let hasNextPage = false;
  let hasPreviousPage = Boolean(args.after);
  if (!unbounded && args.first != null) {
    hasNextPage = total > args.first;
    keyed = keyed.slice(0, args.first);
  } else if (!unbounded && args.last != null) {
    hasPreviousPage = total > args.last;
    hasNextPage = Boolean(args.before);
    keyed = keyed.slice(Math.max(0, total - args.last));
  }
  return {
    items: keyed.map((item) => ({ node: item.node, cursor: encodeCursor(item.key) })),
    hasNextPage,
    hasPreviousPage,
  };
}
