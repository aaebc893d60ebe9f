"use client";

import type { ProductCard } from "@tandem/contracts";
import { ExternalLink, ShoppingBag } from "lucide-react";
import { cn } from "@/lib/utils";

/**
 * The products a bot message recommended, compact under it: what the customer saw as cards (on
 * channels that show them) or read in the text. Image, title, price, stock, and the product page.
 */
export function ProductCards({ messageId, cards }: { messageId: string; cards: ProductCard[] }) {
  return (
    <ul
      className="mt-1 flex max-w-[min(32rem,85%)] gap-2 overflow-x-auto pb-1"
      aria-label="Products recommended"
      data-testid={`product-cards-${messageId}`}
    >
      {cards.map((card) => (
        <li
          key={card.productId}
          className={cn(
            "flex w-44 shrink-0 items-start gap-2 rounded-lg border bg-background p-1.5 text-xs",
            !card.available && "opacity-80",
          )}
          data-testid="product-card"
        >
          {card.imageUrl ? (
            // biome-ignore lint/performance/noImgElement: the store's CDN, any host
            <img
              src={card.imageUrl}
              alt=""
              width={40}
              height={40}
              loading="lazy"
              className="size-10 shrink-0 rounded object-cover"
            />
          ) : (
            <span className="flex size-10 shrink-0 items-center justify-center rounded bg-muted">
              <ShoppingBag className="size-4 text-muted-foreground" aria-hidden="true" />
            </span>
          )}
          <span className="flex min-w-0 flex-col gap-0.5">
            <span className="truncate font-medium" title={card.title}>
              {card.title}
            </span>
            {card.variantTitle && <span className="truncate text-muted-foreground">{card.variantTitle}</span>}
            <span className="tabular-nums">{card.priceText}</span>
            {!card.available && <span className="text-destructive">Out of stock</span>}
            {card.url && (
              <a
                href={card.url}
                target="_blank"
                rel="noreferrer noopener"
                className="inline-flex items-center gap-0.5 text-primary underline-offset-2 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
                aria-label={`View ${card.title} (opens in a new tab)`}
              >
                View <ExternalLink className="size-3" aria-hidden="true" />
              </a>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
