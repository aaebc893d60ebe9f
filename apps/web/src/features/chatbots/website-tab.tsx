"use client";

import {
  type ChatbotDto,
  PUBLIC_CHAT_LIMITS,
  UpdateWidgetSettingsInput,
  type WidgetSettingsDto,
  type WidgetTheme,
} from "@tandem/contracts";
import Link from "next/link";
import { useState } from "react";
import { CopyField } from "@/components/copy-field";
import { Notice, useNotice } from "@/components/notice";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api";
import { ApiKeyTab } from "./api-key-tab";
import { IdentitySecretCard } from "./identity-secret-card";
import { NativeSelect } from "./native-select";
import { WidgetPreview } from "./widget-preview";
import { useUpdateWidgetSettings, useWidgetSettings } from "./widget-queries";

const FONTS = ["system-ui, sans-serif", "Inter, sans-serif", "Georgia, serif", "'Noto Sans Thai', sans-serif"];
const RADII = ["0px", "4px", "8px", "12px", "16px", "24px"];

interface Form {
  theme: WidgetTheme;
  allowedDomains: string;
  customCss: string;
  requireVerifiedIdentity: boolean;
}

const toForm = (s: WidgetSettingsDto): Form => ({
  theme: s.theme,
  allowedDomains: s.allowedDomains.join("\n"),
  customCss: s.customCss ?? "",
  requireVerifiedIdentity: s.requireVerifiedIdentity,
});

const toInput = (form: Form) => ({
  theme: form.theme,
  allowedDomains: form.allowedDomains
    .split(/[\n,]/)
    .map((d) => d.trim())
    .filter(Boolean),
  customCss: form.customCss.trim() ? form.customCss : null,
  requireVerifiedIdentity: form.requireVerifiedIdentity,
});

/** `theme.primaryColor` → "Colour: …", `allowedDomains.2` → "Line 3: …". */
function describe(path: string, message: string): [string, string] {
  const [field, sub] = path.split(".");
  if (field === "allowedDomains" && sub !== undefined) return ["allowedDomains", `Line ${Number(sub) + 1}: ${message}`];
  if (field === "theme" && sub) return [`theme.${sub}`, message];
  return [field ?? "", message];
}

/**
 * The chatbot's Website channel (OWNER, ADMIN): how the widget looks and where it may run, identity
 * verification, the snippet to paste, a preview of the real widget, and the public API key.
 */
export function WebsiteTab({ chatbot }: { chatbot: ChatbotDto }) {
  const settings = useWidgetSettings(chatbot.id);
  // The preview reloads after each save (the widget reads the saved settings).
  const [saves, setSaves] = useState(0);
  if (settings.isError) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{errorMessage(settings.error)}</AlertDescription>
      </Alert>
    );
  }
  if (!settings.data) return <Skeleton className="h-64 w-full" role="status" aria-label="Loading" />;
  return (
    <div className="flex flex-col gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Install</CardTitle>
          <CardDescription>
            Paste this tag into every page where the chat should appear, before <code>&lt;/body&gt;</code>. It only runs
            on the allowed domains below.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CopyField label="Embed snippet" value={settings.data.embedSnippet} mono />
        </CardContent>
      </Card>
      <div className="grid min-w-0 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,24rem)]">
        <div className="flex min-w-0 flex-col gap-6">
          <WidgetSettingsForm chatbot={chatbot} settings={settings.data} onSaved={() => setSaves((n) => n + 1)} />
          <IdentitySecretCard chatbotId={chatbot.id} secretSet={settings.data.identitySecretSet} />
        </div>
        <div className="min-w-0 lg:sticky lg:top-4 lg:self-start">
          <WidgetPreview chatbotId={chatbot.id} version={saves} />
        </div>
      </div>
      <ApiKeyTab chatbot={chatbot} canManage />
    </div>
  );
}

function WidgetSettingsForm({
  chatbot,
  settings,
  onSaved,
}: {
  chatbot: ChatbotDto;
  settings: WidgetSettingsDto;
  onSaved: () => void;
}) {
  const [form, setForm] = useState<Form>(() => toForm(settings));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const update = useUpdateWidgetSettings(chatbot.id);
  const { notice, show, clear } = useNotice();

  const setTheme = <K extends keyof WidgetTheme>(key: K, value: WidgetTheme[K]) =>
    setForm((f) => ({ ...f, theme: { ...f.theme, [key]: value } }));

  function collect(issues: { path: string; message: string }[]) {
    const next: Record<string, string> = {};
    for (const issue of issues) {
      const [field, message] = describe(issue.path, issue.message);
      if (field && !next[field]) next[field] = message;
    }
    return next;
  }

  async function save() {
    setError(null);
    const parsed = UpdateWidgetSettingsInput.safeParse(toInput(form));
    if (!parsed.success) {
      setErrors(collect(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }))));
      return;
    }
    setErrors({});
    try {
      // The saved values, as the server keeps them (domains lower-cased, CSS sanitised).
      setForm(toForm(await update.mutateAsync(parsed.data)));
      onSaved();
      show({ kind: "success", message: "Saved. Pages with the widget use these settings when they next load it." });
    } catch (cause) {
      const details = (cause as { details?: unknown }).details;
      const fields = Array.isArray(details)
        ? collect(details.filter((d): d is { path: string; message: string } => typeof d?.path === "string"))
        : {};
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(errorMessage(cause));
    }
  }

  const errorFor = (field: string) =>
    errors[field] ? (
      <p id={`${field.replace(".", "-")}-error`} className="text-xs text-destructive">
        {errors[field]}
      </p>
    ) : null;
  const aria = (field: string) => ({
    "aria-invalid": Boolean(errors[field]),
    "aria-describedby": errors[field] ? `${field.replace(".", "-")}-error` : undefined,
  });

  return (
    <form
      className="flex flex-col gap-6"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <Card>
        <CardHeader>
          <CardTitle>Appearance</CardTitle>
          <CardDescription>
            The widget's name, welcome message and suggested questions are the chatbot's:{" "}
            <Link href="?tab=settings" className="underline underline-offset-4">
              edit them in Settings
            </Link>
            .
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 sm:grid-cols-2">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="widget-color">Colour</Label>
            <div className="flex gap-2">
              <input
                type="color"
                aria-label="Pick a colour"
                value={/^#[0-9a-fA-F]{6}$/.test(form.theme.primaryColor) ? form.theme.primaryColor : "#2563eb"}
                onChange={(e) => setTheme("primaryColor", e.target.value)}
                className="h-9 w-12 shrink-0 cursor-pointer rounded-md border bg-transparent p-1"
              />
              <Input
                id="widget-color"
                value={form.theme.primaryColor}
                onChange={(e) => setTheme("primaryColor", e.target.value.trim())}
                className="font-mono"
                {...aria("theme.primaryColor")}
              />
            </div>
            {errorFor("theme.primaryColor")}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="widget-position">Position</Label>
            <NativeSelect
              id="widget-position"
              value={form.theme.position}
              onChange={(e) => setTheme("position", e.target.value as WidgetTheme["position"])}
            >
              <option value="bottom-right">Bottom right</option>
              <option value="bottom-left">Bottom left</option>
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="widget-font">Font</Label>
            <Input
              id="widget-font"
              list="widget-fonts"
              value={form.theme.fontFamily}
              onChange={(e) => setTheme("fontFamily", e.target.value)}
              {...aria("theme.fontFamily")}
            />
            <datalist id="widget-fonts">
              {FONTS.map((f) => (
                <option key={f} value={f} />
              ))}
            </datalist>
            {errorFor("theme.fontFamily")}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="widget-radius">Corner radius</Label>
            <NativeSelect
              id="widget-radius"
              value={form.theme.borderRadius}
              onChange={(e) => setTheme("borderRadius", e.target.value)}
              {...aria("theme.borderRadius")}
            >
              {[...new Set([...RADII, form.theme.borderRadius])].map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </NativeSelect>
            {errorFor("theme.borderRadius")}
          </div>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Allowed domains</CardTitle>
          <CardDescription>
            Host names the widget may run on, one per line: <code>shop.example.com</code>, or <code>*.example.com</code>{" "}
            for its subdomains. With none, it runs only in the preview here.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-1.5">
          <Label htmlFor="widget-domains">Domains</Label>
          <Textarea
            id="widget-domains"
            value={form.allowedDomains}
            onChange={(e) => setForm((f) => ({ ...f, allowedDomains: e.target.value }))}
            rows={4}
            placeholder={"shop.example.com\n*.example.com"}
            className="font-mono text-sm"
            {...aria("allowedDomains")}
          />
          {errorFor("allowedDomains")}
          <p className="text-xs text-muted-foreground">At most {PUBLIC_CHAT_LIMITS.allowedDomains}.</p>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Custom CSS</CardTitle>
          <CardDescription>
            Applied inside the widget only. <code>@import</code>, <code>&lt;</code>, comments and{" "}
            <code>javascript:</code> addresses are removed when saved; custom scripts are not supported.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-1.5">
          <Label htmlFor="widget-css">CSS</Label>
          <Textarea
            id="widget-css"
            value={form.customCss}
            onChange={(e) => setForm((f) => ({ ...f, customCss: e.target.value }))}
            rows={5}
            maxLength={PUBLIC_CHAT_LIMITS.customCssLength}
            spellCheck={false}
            className="font-mono text-xs"
            {...aria("customCss")}
          />
          {errorFor("customCss")}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Verified identity</CardTitle>
          <CardDescription>
            Your site's server signs each signed-in user's id with the identity secret below, and the page passes it to{" "}
            <code>Tandem.identify()</code>.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex items-start gap-3">
          <Switch
            id="widget-verified"
            checked={form.requireVerifiedIdentity}
            onCheckedChange={(checked) => setForm((f) => ({ ...f, requireVerifiedIdentity: checked }))}
            {...aria("requireVerifiedIdentity")}
          />
          <div className="flex flex-col gap-1">
            <Label htmlFor="widget-verified">Require verified identity</Label>
            <p className="text-xs text-muted-foreground">
              Visitors without a valid signature cannot send messages. Generate a secret first.
            </p>
            {errorFor("requireVerifiedIdentity")}
          </div>
        </CardContent>
      </Card>
      <Notice notice={notice} onDismiss={clear} />
      {error && (
        <Alert variant="destructive">
          <AlertDescription>{error}</AlertDescription>
        </Alert>
      )}
      <div>
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save widget settings"}
        </Button>
      </div>
    </form>
  );
}
