"use client";

import {
  type SimulatorShopifyDelivery,
  type SimulatorShopifyProduct,
  SimulatorShopifyProductPatch,
} from "@tandem/contracts";
import { Info, Save, ShoppingBag } from "lucide-react";
import { useState } from "react";
import { EmptyState } from "@/components/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api";
import { formatRelative } from "@/lib/format";
import {
  useShopifySimulatorDeliveries,
  useShopifySimulatorProducts,
  useShopifySimulatorShops,
  useUpdateShopifySimulatorProduct,
} from "./shopify-queries";

/**
 * The simulated Shopify store: its catalog with editable prices and stock. Saving a product changes it
 * on the fake Admin API and sends `products/update` (and `inventory_levels/update` for stock) to the
 * apps subscribed on the shop, signed like Shopify's webhooks; the latest deliveries are listed.
 */
export function ShopifyPane() {
  const shops = useShopifySimulatorShops();
  const shop = shops.data?.data[0];
  const products = useShopifySimulatorProducts(shop?.domain);
  const deliveries = useShopifySimulatorDeliveries(shop?.domain);
  const error = shops.error ?? products.error;

  if (error) {
    return (
      <Alert variant="destructive" className="max-w-5xl">
        <AlertDescription>{errorMessage(error)}</AlertDescription>
      </Alert>
    );
  }
  if (shops.isPending || (shop && products.isPending)) return <Skeleton className="h-96 w-full max-w-5xl" />;
  if (!shop) {
    return (
      <EmptyState
        icon={ShoppingBag}
        title="No simulated store"
        description="The simulator has no Shopify store."
        className="max-w-5xl flex-1 rounded-xl border"
      />
    );
  }

  return (
    <div className="flex w-full max-w-5xl flex-col gap-4">
      <Alert variant="info">
        <Info aria-hidden="true" />
        <AlertDescription>
          <p>
            {shop.name} ({shop.domain}) lives in the simulator. Change a price or the stock and save: the store sends
            Tandem a signed <code>products/update</code> webhook, as Shopify does, once Tandem has connected the store
            and subscribed.
          </p>
        </AlertDescription>
      </Alert>
      <div className="flex gap-4 max-lg:flex-col">
        <section aria-label="Products" className="flex min-w-0 flex-1 flex-col gap-3">
          {products.data?.data.map((product) => (
            <ProductEditor key={`${product.id}-${product.updatedAt}`} shop={shop.domain} product={product} />
          ))}
        </section>
        <section
          aria-label="Webhooks sent"
          className="flex w-72 shrink-0 flex-col gap-2 self-start lg:sticky lg:top-0 max-lg:w-full"
        >
          <h2 className="text-sm font-medium">Webhooks sent</h2>
          {deliveries.data?.length ? (
            <ul className="flex flex-col gap-2">
              {deliveries.data.map((delivery) => (
                <DeliveryRow key={delivery.seq} delivery={delivery} />
              ))}
            </ul>
          ) : (
            <p className="text-sm text-muted-foreground">None yet.</p>
          )}
        </section>
      </div>
    </div>
  );
}

function ProductEditor({ shop, product }: { shop: string; product: SimulatorShopifyProduct }) {
  const update = useUpdateShopifySimulatorProduct(shop);
  const [draft, setDraft] = useState(() =>
    Object.fromEntries(product.variants.map((v) => [v.id, { price: v.price, stock: String(v.inventoryQuantity) }])),
  );
  const [invalid, setInvalid] = useState<string | null>(null);
  const changed = product.variants.filter(
    (v) => draft[v.id]?.price !== v.price || draft[v.id]?.stock !== String(v.inventoryQuantity),
  );

  const save = () => {
    const parsed = SimulatorShopifyProductPatch.safeParse({
      variants: changed.map((v) => ({
        id: v.id,
        price: draft[v.id]!.price,
        inventoryQuantity: Number.parseInt(draft[v.id]!.stock, 10),
      })),
    });
    if (!parsed.success) {
      setInvalid(parsed.error.issues[0]?.message ?? "Check the prices and stock");
      return;
    }
    setInvalid(null);
    update.mutate({ productId: product.id, ...parsed.data });
  };

  return (
    <article aria-label={product.title} className="rounded-xl border p-3">
      <header className="mb-2 flex items-center justify-between gap-2">
        <h3 className="truncate text-sm font-semibold">{product.title}</h3>
        <div className="flex items-center gap-2">
          {product.status !== "ACTIVE" && <Badge variant="outline">{product.status.toLowerCase()}</Badge>}
          <Button size="sm" variant="outline" onClick={save} disabled={changed.length === 0 || update.isPending}>
            <Save aria-hidden="true" />
            Save
          </Button>
        </div>
      </header>
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-muted-foreground">
          <tr>
            <th className="pb-1 font-normal">Variant</th>
            <th className="pb-1 font-normal">Price ({product.currencyCode})</th>
            <th className="pb-1 font-normal">Stock</th>
          </tr>
        </thead>
        <tbody>
          {product.variants.map((variant) => {
            const label = `${product.title} ${variant.title}`;
            return (
              <tr key={variant.id}>
                <td className="py-1 pr-2 text-muted-foreground">{variant.title}</td>
                <td className="w-36 py-1 pr-2">
                  <Input
                    aria-label={`Price of ${label}`}
                    inputMode="decimal"
                    value={draft[variant.id]?.price ?? ""}
                    onChange={(e) =>
                      setDraft({ ...draft, [variant.id]: { ...draft[variant.id]!, price: e.target.value } })
                    }
                  />
                </td>
                <td className="w-28 py-1">
                  <Input
                    aria-label={`Stock of ${label}`}
                    type="number"
                    value={draft[variant.id]?.stock ?? ""}
                    onChange={(e) =>
                      setDraft({ ...draft, [variant.id]: { ...draft[variant.id]!, stock: e.target.value } })
                    }
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {(invalid || update.isError) && (
        <p role="alert" className="mt-2 text-sm text-destructive">
          {invalid ?? errorMessage(update.error)}
        </p>
      )}
    </article>
  );
}

function DeliveryRow({ delivery }: { delivery: SimulatorShopifyDelivery }) {
  const last = delivery.attempts.at(-1);
  return (
    <li className="rounded-lg border px-3 py-2 text-xs">
      <div className="flex items-center justify-between gap-2">
        <code className="font-medium">{delivery.topic}</code>
        <Badge
          variant={delivery.state === "failed" ? "destructive" : delivery.state === "pending" ? "outline" : "secondary"}
        >
          {delivery.state}
        </Badge>
      </div>
      <p className="mt-1 truncate text-muted-foreground" title={delivery.url}>
        {last ? `${last.status ?? last.error ?? "no answer"} · ` : ""}
        {delivery.attempts.length} attempt{delivery.attempts.length === 1 ? "" : "s"} ·{" "}
        {formatRelative(delivery.triggeredAt)}
      </p>
    </li>
  );
}
