/** Markdown tables and number formats for the benchmark report. */

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const x = (ratio: number) => `${ratio.toFixed(2)}x`;
export const ms = (value: number) => value.toFixed(1);
export const usd = (value: number) => `$${value.toFixed(value < 1 ? 3 : 2)}`;
/** At least two decimals, more when the price has them: $0.20, $0.625, $0.0000133334. */
export const dollars = (value: number) =>
  `$${(String(value).split('.')[1] ?? '').length > 2 ? value : value.toFixed(2)}`;
export const n = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));
