import { redirect } from "next/navigation";

/** Every role has API tokens; Members is linked from the sidebar for those who may manage it. */
export default function SettingsPage() {
  redirect("/settings/tokens");
}
