import type { WidgetSettingsDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import { type WidgetSettingsDeps, widgetSettingsToDto } from "./widget-settings.ts";

/** A chatbot's website widget settings and embed snippet (OWNER, ADMIN); never the identity secret. */
export async function getWidgetSettings(
  ctx: Ctx,
  chatbotId: string,
  deps: Pick<WidgetSettingsDeps, "appUrl">,
): Promise<WidgetSettingsDto> {
  assertActorCan(ctx, "chatbots.manage");
  return widgetSettingsToDto(await getChatbotInWorkspace(ctx, chatbotId), deps.appUrl);
}
