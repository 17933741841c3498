/**
 * Receive throughput in Chromium (issue 8): wirekit's `Connection` over `websocket()` vs the
 * browser's raw `WebSocket`, and over `socketio()` vs raw socket.io-client, all against the
 * bare bench server (fixtures/bench-server.mjs) on 127.0.0.1. Page: pages/receive.{html,ts}
 * (production build), driven over a bare DevTools connection with the Network domain off
 * (Playwright's network instrumentation would cost WebSocket receive about 3×).
 *
 * Rounds are interleaved across the four receivers (bench/rounds.ts); figures are medians with
 * their min–max spread. Besides the in-page rate, the CPU time per message of all of Chromium's
 * processes (renderer, network service, …; from /proc) is reported: it depends much less on how
 * fast the server sends and on the other load of the machine than the wall-clock rate does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ReceiveKind } from './pages/receive.js';
import { interleaved, receiveRows } from '../rounds.js';
import { startBenchServer } from '../servers.js';
import type { Row } from '../table.js';
import { buildBenchPages, serveBenchPages } from './build.js';
import { launchChromium } from './cdp.js';

const MESSAGES = Number(process.env.BENCH_BROWSER_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

const TICK = (() => {
  try {
    return 1 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 1 / 100;
  }
})();

/**
 * CPU seconds used so far by the browser process and all its descendants (renderer, GPU,
 * network service), from /proc: unlike wall-clock figures, CPU time is barely inflated when
 * other processes compete for the machine's cores. `NaN` where /proc is not available.
 */
function chromiumCpuSeconds(pid: number | undefined): number {
  if (pid === undefined || !existsSync('/proc/self/stat')) return NaN;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after `(comm)`: state ppid … utime(14) stime(15), counted from 1 overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
    });
  }
  let ticks = 0;
  for (const [candidate, { ticks: own }] of stats) {
    for (let p: number | undefined = candidate; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === pid) {
        ticks += own;
        break;
      }
    }
  }
  return ticks * TICK;
}

export async function chromiumReceiveSuite(): Promise<Row[]> {
  const server = await startBenchServer();
  await buildBenchPages();
  const pages = await serveBenchPages();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage(`${pages.url}receive.html`);
    const round = (kind: ReceiveKind) => async () => {
      const cpu0 = chromiumCpuSeconds(browser.pid);
      const rate = await page.evaluate<number>(
        `window.benchReceive(${JSON.stringify({ server: server.url, kind, messages: MESSAGES })})`,
      );
      const cpu = chromiumCpuSeconds(browser.pid) - cpu0;
      return { rate, cpu: (cpu * 1e6) / MESSAGES };
    };
    const results = await interleaved(
      {
        'raw WebSocket': round('raw WebSocket'),
        'wirekit websocket()': round('wirekit websocket()'),
        'raw socket.io-client': round('raw socket.io-client'),
        'wirekit socketio()': round('wirekit socketio()'),
      },
      { warmup: 2, rounds: ROUNDS },
    );

    const suite = `receive throughput, Chromium (${MESSAGES.toLocaleString('en-US')} msgs, ${ROUNDS} interleaved rounds)`;
    const cpuSuite = `receive CPU per message, all Chromium processes (${ROUNDS} interleaved rounds)`;
    const pairs: [ReceiveKind, ReceiveKind?][] = [
      ['raw WebSocket'],
      ['wirekit websocket()', 'raw WebSocket'],
      ['raw socket.io-client'],
      ['wirekit socketio()', 'raw socket.io-client'],
    ];
    return receiveRows(results, pairs, {
      suite,
      cpuSuite,
      socketio: 'wirekit socketio()',
      rawWebSocket: 'raw WebSocket',
    });
  } finally {
    await browser.close();
    pages.close();
    server.stop();
  }
}
