/**
 * Port through which core publishes live events (`message:new`, `conversation:updated`, …) and cuts
 * off sockets whose access ended (a session signed out or revoked, a member removed or given another
 * role). The web server binds it to Socket.IO rooms; a worker process binds it to the Redis emitter.
 * Both reach every web process when the Redis adapter is on.
 */
export interface RealtimePublisher {
  emit(room: string, event: string, payload: unknown): void;
  /** Disconnects every socket in any of these rooms, on every process. */
  disconnect(rooms: string[]): void;
}

/** The hub also answers whether a room has sockets (the binding's `hasSockets`). */
export interface RealtimeHub extends RealtimePublisher {
  bind(target: RealtimeTarget | null): void;
  /**
   * Whether any socket is in the room, on any process (the widget's "agents online": a workspace room
   * with a dashboard open). False where nothing answers it (a worker, a test without sockets).
   */
  hasSockets(room: string): Promise<boolean>;
}

/**
 * What a process binds the hub to; a target that only records events (tests) may leave out
 * `disconnect` and `hasSockets`.
 */
export type RealtimeTarget = Pick<RealtimePublisher, "emit"> & Partial<Pick<RealtimeHub, "disconnect" | "hasSockets">>;

/**
 * The Socket.IO namespace a room lives in: a widget session's room (`widget:…`, `rooms.widgetSession`)
 * on the widget's namespace, every other room on the dashboard's (`/`). Both bindings of the hub (the
 * web process's server, the worker's Redis emitter) route by it.
 */
export const realtimeNamespace = (room: string): string => (room.startsWith("widget:") ? "/widget" : "/");

/** Rooms grouped by their namespace, for a disconnect that spans both. */
export function byNamespace(rooms: readonly string[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const room of rooms) {
    const namespace = realtimeNamespace(room);
    grouped.set(namespace, [...(grouped.get(namespace) ?? []), room]);
  }
  return grouped;
}

export function createRealtimeHub(): RealtimeHub {
  let target: RealtimeTarget | null = null;
  return {
    bind(next) {
      target = next;
    },
    emit(room, event, payload) {
      target?.emit(room, event, payload);
    },
    disconnect(rooms) {
      if (rooms.length) target?.disconnect?.(rooms);
    },
    async hasSockets(room) {
      return (await target?.hasSockets?.(room)) ?? false;
    },
  };
}
