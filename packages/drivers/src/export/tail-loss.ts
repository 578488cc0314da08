/**
 * Whether `current` looks like `previous` with its tail lost: its lines are exactly the first lines
 * of `previous`, and fewer of them. Both are normalized texts of one device. An export that stopped
 * early between two lines with exit status 0, on every read alike, looks like this; so does a
 * config whose last entries were really deleted. The ingestor therefore asks for one
 * re-collection before storing such a version, and stores the re-collected one whatever it shows.
 *
 * @example lostTail("# by RouterOS 7\n/ip dns\nset a=1\n/system identity\n", "# by RouterOS 7\n/ip dns\nset a=1\n") // true
 */
export function lostTail(previous: string, current: string): boolean {
  const before = linesOf(previous);
  const now = linesOf(current);
  if (now.length === 0 || now.length >= before.length) return false;
  return now.every((line, i) => line === before[i]);
}

function linesOf(normalized: string): string[] {
  const lines = normalized.split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
