"use client";

import { useEffect, useId } from "react";

/**
 * Warns before leaving a page with unsaved edits: closing or reloading the tab (the browser's own
 * "Leave site?" prompt) and following a link to another page of the dashboard (a confirm). Each form
 * reports whether it has unsaved edits; one warning covers them all, however many are dirty.
 */
const dirtyForms = new Set<string>();
export const UNSAVED_CHANGES_MESSAGE = "You have unsaved changes on this page. Leave without saving them?";

function onBeforeUnload(event: BeforeUnloadEvent) {
  event.preventDefault();
  // Older browsers show the prompt only when a value is set.
  event.returnValue = "";
}

function onLinkClick(event: MouseEvent) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  const link = (event.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
  if (!link || (link.target && link.target !== "_self")) return;
  const to = new URL(link.href, window.location.href);
  const here = window.location;
  // Another tab of the same page (`?tab=`, `#section`) keeps the forms: no question.
  if (to.origin !== here.origin || to.pathname === here.pathname) return;
  if (!window.confirm(UNSAVED_CHANGES_MESSAGE)) {
    event.preventDefault();
    event.stopPropagation();
  }
}

export function useUnsavedChanges(dirty: boolean): void {
  const id = useId();
  useEffect(() => {
    if (!dirty) return;
    if (dirtyForms.size === 0) {
      window.addEventListener("beforeunload", onBeforeUnload);
      document.addEventListener("click", onLinkClick, true);
    }
    dirtyForms.add(id);
    return () => {
      dirtyForms.delete(id);
      if (dirtyForms.size === 0) {
        window.removeEventListener("beforeunload", onBeforeUnload);
        document.removeEventListener("click", onLinkClick, true);
      }
    };
  }, [dirty, id]);
}
