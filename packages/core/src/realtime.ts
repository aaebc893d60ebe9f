/**
 * Port through which core publishes live events (`message:new`, `conversation:updated`, …).
 * The web server binds it to Socket.IO rooms; a worker process binds it to the Redis emitter.
 */
export interface RealtimePublisher {
  emit(room: string, event: string, payload: unknown): void;
}

export function createRealtimeHub(): RealtimePublisher & { bind(target: RealtimePublisher | null): void } {
  let target: RealtimePublisher | null = null;
  return {
    bind(next) {
      target = next;
    },
    emit(room, event, payload) {
      target?.emit(room, event, payload);
    },
  };
}
