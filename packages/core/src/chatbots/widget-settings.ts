import { type WidgetSettingsDto, WidgetTheme } from "@tandem/contracts";
import type { WidgetConfig } from "@tandem/db";
import type { Config } from "../config.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { ChatbotRow } from "./get-chatbot-in-workspace.ts";

/** What the widget settings verbs need of the runtime: the public URL (for the snippet) and the keyring. */
export interface WidgetSettingsDeps {
  appUrl: string;
  keyring: Keyring;
}

export const widgetSettingsDeps = (runtime: {
  keyring: Keyring;
  config: Pick<Config, "appUrl">;
}): WidgetSettingsDeps => ({
  appUrl: runtime.config.appUrl,
  keyring: runtime.keyring,
});

/** The `<script>` tag a site owner pastes: the loader of this server, for this chatbot. */
export const widgetEmbedSnippet = (appUrl: string, chatbotId: string) =>
  `<script src="${appUrl.replace(/\/+$/, "")}/api/v1/public/widget/${encodeURIComponent(chatbotId)}/loader.js" async></script>`;

/** The stored theme with the `WidgetTheme` defaults filled in (a value that no longer parses falls back to its default). */
export function resolveWidgetTheme(stored: WidgetConfig["theme"]): WidgetTheme {
  const theme = WidgetTheme.parse({});
  for (const key of Object.keys(theme) as (keyof WidgetTheme)[]) {
    const field = WidgetTheme.shape[key].safeParse(stored?.[key]);
    if (field.success && stored?.[key] !== undefined) Object.assign(theme, { [key]: field.data });
  }
  return theme;
}

export function widgetSettingsToDto(row: ChatbotRow, appUrl: string): WidgetSettingsDto {
  const config = row.widgetConfig;
  return {
    theme: resolveWidgetTheme(config.theme),
    allowedDomains: config.allowedDomains ?? [],
    customCss: config.customCss ?? null,
    requireVerifiedIdentity: config.requireVerifiedIdentity ?? false,
    identitySecretSet: row.identitySecretEncrypted !== null,
    embedSnippet: widgetEmbedSnippet(appUrl, row.id),
  };
}
