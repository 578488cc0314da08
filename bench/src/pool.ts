/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight (a fixed set of workers
 * taking the next item as each finishes); results come back in item order. `fn` should not
 * throw: a rejection stops the pool and rejects the whole call.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
