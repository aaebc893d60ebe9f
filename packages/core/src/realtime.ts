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

/** What a process binds the hub to; a target that only records events (tests) may leave out `disconnect`. */
export type RealtimeTarget = Pick<RealtimePublisher, "emit"> & Partial<Pick<RealtimePublisher, "disconnect">>;

export function createRealtimeHub(): RealtimePublisher & { bind(target: RealtimeTarget | null): void } {
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
  };
}
