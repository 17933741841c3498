import type { Row } from './table.js';

/**
 * Interleaved rounds for comparative benches on a shared, noisy machine: every round runs each
 * contender once (in a rotating order), so a burst of load from another process lands on all
 * of them alike instead of on whichever one happened to run then. Figures are medians, with the
 * min–max spread kept for the table's note.
 */

export interface Samples {
  /** Every measured round, in run order (warm-up rounds excluded). */
  values: number[];
  median: number;
  min: number;
  max: number;
}

export function summarize(values: number[]): Samples {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 ? sorted[mid]! : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return { values, median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

/**
 * Runs `warmup` untimed rounds, then `rounds` timed rounds; each round calls every contender
 * once, starting at a different one each round. A contender returns one figure per call (or
 * several named figures, e.g. rate and CPU per message).
 */
export async function interleaved<K extends string, M extends string>(
  contenders: Record<K, () => Promise<Record<M, number>>>,
  { warmup = 1, rounds = 7 }: { warmup?: number; rounds?: number } = {},
): Promise<Record<K, Record<M, Samples>>> {
  const names = Object.keys(contenders) as K[];
  const raw = new Map<K, Map<M, number[]>>(names.map((n) => [n, new Map()]));
  for (let round = -warmup; round < rounds; round++) {
    const start = ((round % names.length) + names.length) % names.length;
    for (let i = 0; i < names.length; i++) {
      const name = names[(start + i) % names.length]!;
      (globalThis as { gc?: () => void }).gc?.(); // every contender starts from a collected heap
      const figures = await contenders[name]();
      if (round < 0) continue;
      for (const [metric, value] of Object.entries(figures) as [M, number][]) {
        const list = raw.get(name)!.get(metric) ?? [];
        list.push(value);
        raw.get(name)!.set(metric, list);
      }
    }
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      Object.fromEntries([...raw.get(n)!].map(([metric, list]) => [metric, summarize(list)])),
    ]),
  ) as Record<K, Record<M, Samples>>;
}

const short = (v: number) =>
  v >= 1000 ? `${Math.round(v / 1000).toLocaleString('en-US')}k` : v.toFixed(v >= 10 ? 0 : 2);

/** `median of 7, 98k–121k` for the table's note. */
export const spreadNote = (s: Samples) =>
  `median of ${s.values.length}, ${short(s.min)}–${short(s.max)}`;

/**
 * The rows of a receive-throughput comparison (Node or Chromium): per contender its median rate
 * and CPU time per message against its baseline, plus wirekit `socketio()` against the raw
 * WebSocket, so the cost of the socket.io protocol itself shows too.
 */
export function receiveRows<K extends string>(
  results: Record<K, Record<'rate' | 'cpu', Samples>>,
  pairs: [name: K, baseline?: K][],
  labels: { suite: string; cpuSuite: string; socketio: K; rawWebSocket: K },
): Row[] {
  const row = (suite: string, name: K, s: Samples, unit: string, baseline?: K): Row => ({
    suite,
    name,
    value: s.median,
    unit,
    better: unit === 'µs' ? 'lower' : 'higher',
    baseline,
    note: spreadNote(s),
  });
  return [
    ...pairs.map(([name, baseline]) =>
      row(labels.suite, name, results[name].rate, 'msg/s', baseline),
    ),
    {
      suite: labels.suite,
      name: `${labels.socketio} vs ${labels.rawWebSocket}`,
      value: results[labels.socketio].rate.median,
      unit: 'msg/s',
      better: 'higher',
      baseline: labels.rawWebSocket,
    },
    ...pairs.map(([name, baseline]) =>
      row(labels.cpuSuite, name, results[name].cpu, 'µs', baseline),
    ),
  ];
}
