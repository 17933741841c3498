/**
 * `pnpm bench`: every figure of issue 8, each with its baseline measured in the same run, as
 * one table (also written to dist/results.json and dist/results.md): bundle sizes, receive
 * throughput and acked round trips in Node and in Chromium (bare DevTools connection), server
 * fan-out and load, ChatPanel first paint / append cost and NotificationBell renders per frame.
 *
 * Suites are plain async functions returning rows. BENCH_ONLY=bundle,transport,… picks suites
 * by key. BENCH_QUICK=1 runs everything once with small counts (CI's smoke run: it proves the
 * benches work, its figures mean nothing); explicit BENCH_* / FANOUT_* / LOAD_* settings win.
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printTable, type Row } from './table.js';

if (process.env.BENCH_QUICK) {
  const quick: Record<string, string> = {
    BENCH_MESSAGES: '5000',
    BENCH_ROUNDS: '2',
    BENCH_RTTS: '200',
    BENCH_BROWSER_MESSAGES: '5000',
    BENCH_UI_ROUNDS: '1',
    BENCH_UI_BLOCKS: '1',
    BENCH_UI_SIZES: '1000,10000',
    BENCH_BELL_SECONDS: '1',
    FANOUT_CLIENTS: '200',
    FANOUT_MESSAGES: '5',
    LOAD_SECONDS: '5',
  };
  for (const [key, value] of Object.entries(quick)) process.env[key] ??= value;
}

// Imported after the quick defaults: suites read their settings when they load.
const { bundleSuite } = await import('./bundle.js');
const { chromiumReceiveSuite } = await import('./browser/receive.js');
const { chatPanelSuite, notificationBellSuite } = await import('./browser/ui.js');
const { nodeTransportSuites } = await import('./node-transport.js');
const { fanoutSuite, loadSuite } = await import('./server-suites.js');

type Suite = () => Promise<Row[]>;

const nodeSuites: Record<string, Suite> = {
  bundle: bundleSuite,
  transport: nodeTransportSuites,
  fanout: () => fanoutSuite(),
  load: loadSuite,
};

/** Chromium suites: pages built with Vite in production mode, driven over bare CDP. */
const browserSuites: Record<string, Suite> = {
  'browser-receive': chromiumReceiveSuite,
  chatpanel: chatPanelSuite,
  bell: notificationBellSuite,
};

const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const rows: Row[] = [];
for (const [name, suite] of Object.entries({ ...nodeSuites, ...browserSuites })) {
  if (only && !only.includes(name)) continue;
  const t0 = performance.now();
  process.stdout.write(`running ${name} … `);
  rows.push(...(await suite()));
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
const table = printTable(rows);
console.log(`\nwirekit benchmarks — ${new Date().toISOString()}\nmachine: ${machine}\n\n${table}`);
const out = fileURLToPath(new URL('../dist/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}results.json`,
  JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 2),
);
writeFileSync(`${out}results.md`, `machine: ${machine}\n\n${table}\n`);
process.exit(0);
