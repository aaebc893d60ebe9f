export { findDefaultChatbot } from "./default-chatbot.ts";
export { getProviderSettings } from "./get-provider-settings.ts";
export { loadProviderConfig } from "./load-provider-config.ts";
export { type ProviderDeps, providerDeps } from "./provider-deps.ts";
export { PROVIDER_TEST_TIMEOUT_MS, testProvider } from "./test-provider.ts";
export { updateProviderSettings } from "./update-provider-settings.ts";
