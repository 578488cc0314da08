/**
 * The time source of the ingestor's timed decisions (scheduler slots, retention cut-offs).
 * Injected, so tests move time forward instead of waiting.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() });
