/** One measured figure; `baseline` names the row it is compared with in the same run. */
export interface Row {
  suite: string;
  name: string;
  value: number;
  unit: string;
  /** `higher` is better (throughput) or `lower` (latency, bytes). */
  better: 'higher' | 'lower';
  baseline?: string;
  note?: string;
}

const fmt = (value: number, unit: string) =>
  `${value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2)} ${unit}`;

/** Prints rows grouped by suite with the ratio to their baseline (>1 = better than baseline). */
export function printTable(rows: Row[]): string {
  const lines: string[] = [];
  const header = ['suite', 'measure', 'value', 'baseline', 'ratio'];
  const body = rows.map((row) => {
    const base = row.baseline
      ? rows.find((r) => r.suite === row.suite && r.name === row.baseline)
      : undefined;
    const ratio = base
      ? row.better === 'higher'
        ? row.value / base.value
        : base.value / row.value
      : undefined;
    return [
      row.suite,
      row.name + (row.note ? ` (${row.note})` : ''),
      fmt(row.value, row.unit),
      base ? `${base.name}: ${fmt(base.value, base.unit)}` : '—',
      ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  lines.push(line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) lines.push(line(r));
  lines.push(
    '',
    'ratio: relative to the baseline of the same run; > 1 means better than the baseline.',
  );
  return lines.join('\n');
}

export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
