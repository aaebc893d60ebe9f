"use client";

import { ConnectShopifyInput, normalizeShopDomain, type ShopifyStoreDto } from "@tandem/contracts";
import { type FormEvent, type ReactNode, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { errorMessage } from "@/lib/api";
import { oauthStartUrl, useConnectShopify } from "./queries";

type Method = "access_token" | "client_credentials" | "oauth";
type Field = "shopDomain" | "accessToken" | "apiSecret" | "clientId" | "clientSecret";

const SHOP_HINT = "Enter the shop's myshopify.com domain, such as example.myshopify.com.";

/**
 * Connect a store three ways: an Admin API access token (custom app), a Dev Dashboard app's client
 * credentials, or the OAuth install of the server's public app (only when the server has one). The
 * server checks the credentials with Shopify before anything is stored; its refusal is shown as is.
 */
export function ConnectShopifyDialog({
  oauthAvailable,
  trigger,
  onConnected,
}: {
  oauthAvailable: boolean;
  trigger: ReactNode;
  onConnected?: (store: ShopifyStoreDto) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent className="sm:max-w-lg">
        {open && (
          <ConnectForm
            oauthAvailable={oauthAvailable}
            onConnected={(store) => {
              setOpen(false);
              onConnected?.(store);
            }}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

function ConnectForm({
  oauthAvailable,
  onConnected,
}: {
  oauthAvailable: boolean;
  onConnected: (store: ShopifyStoreDto) => void;
}) {
  const [method, setMethod] = useState<Method>(oauthAvailable ? "oauth" : "access_token");
  const [values, setValues] = useState<Record<Field, string>>({
    shopDomain: "",
    accessToken: "",
    apiSecret: "",
    clientId: "",
    clientSecret: "",
  });
  const [invalid, setInvalid] = useState<Partial<Record<Field, string>>>({});
  const connect = useConnectShopify();
  const set = (field: Field) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: event.target.value }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (method === "oauth") {
      const shop = normalizeShopDomain(values.shopDomain);
      if (!shop) {
        setInvalid({ shopDomain: SHOP_HINT });
        return;
      }
      window.location.assign(oauthStartUrl(shop));
      return;
    }
    const input =
      method === "access_token"
        ? {
            method,
            shopDomain: values.shopDomain,
            accessToken: values.accessToken,
            apiSecret: values.apiSecret.trim() || undefined,
          }
        : { method, shopDomain: values.shopDomain, clientId: values.clientId, clientSecret: values.clientSecret };
    const parsed = ConnectShopifyInput.safeParse(input);
    if (!parsed.success) {
      const errors: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as Field;
        errors[field] ??= field === "shopDomain" ? SHOP_HINT : issue.message;
      }
      setInvalid(errors);
      return;
    }
    setInvalid({});
    connect.mutate(parsed.data, { onSuccess: onConnected });
  }

  const field = (name: Field, label: string, props: { type?: string; placeholder?: string; hint?: string } = {}) => (
    <div className="grid gap-1.5">
      <Label htmlFor={`shopify-${name}`}>{label}</Label>
      <Input
        id={`shopify-${name}`}
        type={props.type ?? "text"}
        autoComplete="off"
        spellCheck={false}
        placeholder={props.placeholder}
        value={values[name]}
        onChange={set(name)}
        aria-invalid={invalid[name] ? true : undefined}
        aria-describedby={invalid[name] || props.hint ? `shopify-${name}-help` : undefined}
      />
      {invalid[name] ? (
        <p id={`shopify-${name}-help`} className="text-sm text-destructive">
          {invalid[name]}
        </p>
      ) : props.hint ? (
        <p id={`shopify-${name}-help`} className="text-sm text-muted-foreground">
          {props.hint}
        </p>
      ) : null}
    </div>
  );

  return (
    <form onSubmit={onSubmit} className="grid gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>Connect a Shopify store</DialogTitle>
        <DialogDescription>
          Tandem reads the catalog (products, prices, stock) so your bots answer with current data. It needs the{" "}
          <code className="font-mono text-xs">read_products</code> and{" "}
          <code className="font-mono text-xs">read_inventory</code> scopes and never changes the store.
        </DialogDescription>
      </DialogHeader>
      <Tabs value={method} onValueChange={(v) => setMethod(v as Method)}>
        <TabsList className="w-full">
          {oauthAvailable && <TabsTrigger value="oauth">Install app</TabsTrigger>}
          <TabsTrigger value="access_token">Access token</TabsTrigger>
          <TabsTrigger value="client_credentials">Client credentials</TabsTrigger>
        </TabsList>
        <div className="mt-4 grid gap-4">
          {field("shopDomain", "Shop domain", { placeholder: "example.myshopify.com" })}
          {oauthAvailable && (
            <TabsContent value="oauth" className="text-sm text-muted-foreground">
              You go to Shopify to approve the app, then come back here. The store syncs right after.
            </TabsContent>
          )}
          <TabsContent value="access_token" className="grid gap-4">
            {field("accessToken", "Admin API access token", { type: "password", placeholder: "shpat_…" })}
            {field("apiSecret", "API secret key (optional)", {
              type: "password",
              hint: "Lets Tandem verify Shopify's webhooks, so changes arrive within seconds. Without it the catalog is refreshed nightly and when you resync.",
            })}
          </TabsContent>
          <TabsContent value="client_credentials" className="grid gap-4">
            {field("clientId", "Client ID")}
            {field("clientSecret", "Client secret", {
              type: "password",
              hint: "From your app in Shopify's Dev Dashboard. Tandem renews the 24-hour access token itself.",
            })}
          </TabsContent>
        </div>
      </Tabs>
      {connect.isError && (
        <Alert variant="destructive">
          <AlertDescription>{errorMessage(connect.error)}</AlertDescription>
        </Alert>
      )}
      <DialogFooter>
        <DialogClose asChild>
          <Button type="button" variant="outline">
            Cancel
          </Button>
        </DialogClose>
        <Button type="submit" disabled={connect.isPending}>
          {method === "oauth" ? "Continue to Shopify" : connect.isPending ? "Checking with Shopify…" : "Connect store"}
        </Button>
      </DialogFooter>
    </form>
  );
}
