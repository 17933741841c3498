/**
 * `pnpm bench`: every figure of issue 8 that runs in Node, with its baseline measured in the
 * same run, as one table (also written to dist/results.json and dist/results.md).
 *
 * Suites are plain async functions returning rows. Browser suites (Chromium receive
 * throughput over a bare DevTools connection, the ChatPanel / NotificationBell render
 * benchmarks, the UI memory run) plug into `browserSuites` below once the UI package lands;
 * they should return the same `Row` shape so the table and ratios stay one.
 *
 * BENCH_ONLY=bundle,transport,fanout,load picks suites; LOAD_SECONDS shortens the load run.
 */
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleSuite } from './bundle.js';
import { chromiumReceiveSuite } from './browser/receive.js';
import { chatPanelSuite, notificationBellSuite } from './browser/ui.js';
import { nodeTransportSuites } from './node-transport.js';
import { fanoutSuite, loadSuite } from './server-suites.js';
import { printTable, type Row } from './table.js';

type Suite = () => Promise<Row[]>;

const nodeSuites: Record<string, Suite> = {
  bundle: bundleSuite,
  transport: nodeTransportSuites,
  fanout: () => fanoutSuite(),
  load: loadSuite,
};

/** Chromium suites go here (same Row shape); see the module comment. */
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
