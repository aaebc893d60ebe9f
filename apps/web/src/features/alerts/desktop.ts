"use client";

/** The browser's side of alerts: desktop notifications and a chime. */

export type NotificationAccess = NotificationPermission | "unsupported";

export function notificationAccess(): NotificationAccess {
  return typeof window !== "undefined" && "Notification" in window ? Notification.permission : "unsupported";
}

/** Asks the browser; call it from a click (browsers ignore or penalise a request on page load). */
export async function requestNotificationAccess(): Promise<NotificationAccess> {
  if (notificationAccess() === "unsupported") return "unsupported";
  return Notification.requestPermission();
}

export function showNotification(options: { title: string; body: string; tag: string; onClick: () => void }): void {
  if (notificationAccess() !== "granted") return;
  try {
    const notification = new Notification(options.title, { body: options.body, tag: options.tag, icon: "/icon.svg" });
    notification.onclick = () => {
      window.focus();
      options.onClick();
      notification.close();
    };
  } catch {
    // Some mobile browsers allow notifications only from a service worker: the title count and
    // the sound still alert.
  }
}

let audio: AudioContext | null = null;

/** Two short notes, made on the spot (no sound file to load). */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.12, 1320],
    ] as const) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.3);
    }
  } catch {
    // No audio output, or the browser blocks sound until the page has been used.
  }
}
