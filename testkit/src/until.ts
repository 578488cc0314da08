/**
 * Polls `probe` every 25 ms until it holds. Tests wait for conditions, never for wall-clock
 * time; `safetyMs` only stops a test that would otherwise hang, with `what` in the error.
 *
 * @example
 * await until("the device saw a session", () => sim.stats.sessions > 0);
 */
export async function until(what: string, probe: () => boolean | Promise<boolean>, safetyMs = 90_000): Promise<void> {
  const deadline = Date.now() + safetyMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
