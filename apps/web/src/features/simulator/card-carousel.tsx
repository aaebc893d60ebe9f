"use client";

import type { SimulatorCard } from "@tandem/contracts";
import { ExternalLink, ImageOff } from "lucide-react";

/**
 * A carousel the business sent (Messenger's generic template, LINE's carousel template), as the
 * simulated phone shows it: cards side by side, each with its image, title, the line under it and its
 * buttons. A link button opens its page; any other button is drawn, not pressable.
 */
export function CardCarousel({ cards, label }: { cards: SimulatorCard[]; label: string }) {
  return (
    <ul className="flex max-w-full gap-2 overflow-x-auto pb-1" aria-label={label}>
      {cards.map((card, i) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: a sent carousel never changes
          key={i}
          className="flex w-52 shrink-0 flex-col overflow-hidden rounded-2xl border bg-card text-sm shadow-xs"
          data-testid="simulator-card"
        >
          {card.imageUrl ? (
            // biome-ignore lint/performance/noImgElement: store images of any host
            <img
              src={card.imageUrl}
              alt=""
              width={208}
              height={120}
              loading="lazy"
              className="h-30 w-52 bg-muted object-cover"
            />
          ) : (
            <span className="flex h-30 w-52 items-center justify-center bg-muted text-muted-foreground">
              <ImageOff className="size-5" aria-hidden="true" />
              <span className="sr-only">No image</span>
            </span>
          )}
          <span className="flex flex-1 flex-col gap-0.5 px-3 py-2">
            <span className="font-semibold">{card.title}</span>
            {card.subtitle && <span className="text-xs text-muted-foreground">{card.subtitle}</span>}
          </span>
          {card.buttons.map((button, j) =>
            button.url ? (
              <a
                // biome-ignore lint/suspicious/noArrayIndexKey: a sent carousel never changes
                key={j}
                href={button.url}
                target="_blank"
                rel="noreferrer"
                className="flex items-center justify-center gap-1 border-t px-3 py-1.5 font-medium text-[#0084ff] hover:bg-muted"
              >
                {button.title} <ExternalLink className="size-3" aria-hidden="true" />
              </a>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: a sent carousel never changes
              <span key={j} className="border-t px-3 py-1.5 text-center text-muted-foreground">
                {button.title}
              </span>
            ),
          )}
        </li>
      ))}
    </ul>
  );
}
