// The engine's one source of time. Services take a Clock instead of calling
// Date.now() so tests move time forward instead of sleeping, and so every
// timestamp written in one operation agrees.

export type Clock = Readonly<{
  /** Milliseconds since the epoch. */
  now(): number;
  /** The current instant as an ISO-8601 string (UTC), as the store keeps it. */
  iso(): string;
}>;

export const systemClock: Clock = {
  now: () => Date.now(),
  iso: () => new Date().toISOString(),
};

/** A clock a test moves by hand. */
export function manualClock(startMs = Date.parse('2026-01-05T15:00:00Z')): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = startMs;
  return {
    now: () => t,
    iso: () => new Date(t).toISOString(),
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}
