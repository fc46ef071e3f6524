/** Human information: stderr, so that stdout carries only what a script would capture. */
export function info(...lines: string[]): void {
  for (const line of lines) console.error(line);
}

/** The one machine-readable value of a command (an id or a secret) on stdout. */
export function emit(value: string): void {
  console.log(value);
}

export function emitJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** A plain left-aligned table with a header row, columns separated by two spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
