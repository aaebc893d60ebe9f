"use client";

/**
 * Which alerts a person wants, kept per user in this browser's localStorage
 * (`tandem.alerts.<userId>`). Per browser on purpose: desktop notifications and sound are allowed
 * per browser and device too, and a phone and a desk computer often want different ones.
 */
import { useCallback, useSyncExternalStore } from "react";
import type { AlertKind } from "./alert-rules";

export interface AlertPreferences {
  /** Desktop notifications for each kind (shown only once the browser allows them). */
  kinds: Record<AlertKind, boolean>;
  /** A short chime with each alert. */
  sound: boolean;
}

export const DEFAULT_ALERT_PREFERENCES: AlertPreferences = {
  kinds: { newConversation: true, myConversation: true, handoff: true },
  sound: false,
};

const storageKey = (userId: string) => `tandem.alerts.${userId}`;
/** Same-tab writes: the `storage` event fires only in the other tabs. */
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

function parse(raw: string | null): AlertPreferences {
  if (!raw) return DEFAULT_ALERT_PREFERENCES;
  try {
    const stored = JSON.parse(raw) as Partial<AlertPreferences>;
    return {
      kinds: { ...DEFAULT_ALERT_PREFERENCES.kinds, ...stored.kinds },
      sound: typeof stored.sound === "boolean" ? stored.sound : DEFAULT_ALERT_PREFERENCES.sound,
    };
  } catch {
    return DEFAULT_ALERT_PREFERENCES;
  }
}

function read(userId: string): string | null {
  try {
    return window.localStorage.getItem(storageKey(userId));
  } catch {
    return null;
  }
}

/** The signed-in person's alert preferences, and a setter; every tab follows a change. */
export function useAlertPreferences(userId: string): [AlertPreferences, (next: AlertPreferences) => void] {
  // The raw string is the snapshot: stable between reads, so React re-renders only on a change.
  const raw = useSyncExternalStore(
    subscribe,
    () => read(userId),
    () => null,
  );
  const set = useCallback(
    (next: AlertPreferences) => {
      try {
        window.localStorage.setItem(storageKey(userId), JSON.stringify(next));
      } catch {
        // Storage full or disabled: the choice lasts until the page is left.
      }
      for (const listener of listeners) listener();
    },
    [userId],
  );
  return [parse(raw), set];
}
