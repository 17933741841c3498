import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { chromiumLaunchOptions } from '../../../../scripts/chromium.mjs';

/**
 * A bare DevTools-protocol session on one page: no Playwright, so no Network domain is ever
 * enabled (Playwright's network instrumentation costs WebSocket receive about 3×). Only the
 * domains a bench asks for are on.
 */
export interface CdpPage {
  /** Sends a raw CDP command to the page's target. */
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Evaluates `expression` in the page (promises awaited) and returns its JSON value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Navigates and resolves once `load` fired. */
  goto(url: string): Promise<void>;
  /** Used JS heap after three forced full GCs. */
  heapAfterGc(): Promise<number>;
}

export interface CdpBrowser {
  /** The browser process (its descendants are Chromium's renderer, GPU and network processes). */
  readonly pid: number | undefined;
  newPage(url?: string): Promise<CdpPage>;
  close(): Promise<void>;
}

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

class Session {
  #seq = 0;
  readonly #pending = new Map<number, Pending>();
  readonly #events = new Map<string, Set<(params: unknown) => void>>();

  constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: unknown;
      };
      if (msg.id !== undefined) {
        const pending = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) pending?.reject(new Error(msg.error.message));
        else pending?.resolve(msg.result);
      } else if (msg.method) {
        for (const fn of [...(this.#events.get(msg.method) ?? [])]) fn(msg.params);
      }
    });
    socket.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('CDP socket closed'));
      this.#pending.clear();
    });
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  once(method: string): Promise<unknown> {
    return new Promise((resolve) => {
      const fn = (params: unknown) => {
        this.#events.get(method)?.delete(fn);
        resolve(params);
      };
      let set = this.#events.get(method);
      if (!set) this.#events.set(method, (set = new Set()));
      set.add(fn);
    });
  }
}

const opened = (socket: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });

/**
 * Starts the machine's Chromium headless with a DevTools port and returns a bare CDP client.
 * Pages get their own target and WebSocket to it.
 */
export async function launchChromium(): Promise<CdpBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'wirekit-bench-'));
  const child: ChildProcess = spawn(
    chromiumLaunchOptions.executablePath,
    [
      ...chromiumLaunchOptions.args,
      '--headless=new',
      '--remote-debugging-port=0',
      '--remote-debugging-address=127.0.0.1',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--js-flags=--expose-gc',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${buffer}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited ${code}:\n${buffer}`));
    });
  });
  child.stderr!.resume();
  const httpBase = endpoint.replace(/^ws:\/\/([^/]+)\/.*$/, 'http://$1');
  const sockets = new Set<WebSocket>();

  return {
    pid: child.pid,
    async newPage(url = 'about:blank') {
      const res = await fetch(`${httpBase}/json/new?${encodeURIComponent('about:blank')}`, {
        method: 'PUT',
      });
      const target = (await res.json()) as { webSocketDebuggerUrl: string };
      const socket = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false });
      sockets.add(socket);
      await opened(socket);
      const session = new Session(socket);
      await session.send('Page.enable');
      await session.send('Runtime.enable');
      const page: CdpPage = {
        send: (method, params) => session.send(method, params),
        async evaluate<T>(expression: string) {
          const result = await session.send<{
            result: { value?: T };
            exceptionDetails?: { text: string; exception?: { description?: string } };
          }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
          if (result.exceptionDetails) {
            const { text, exception } = result.exceptionDetails;
            throw new Error(`In page: ${exception?.description ?? text}`);
          }
          return result.result.value as T;
        },
        async goto(to) {
          const loaded = session.once('Page.loadEventFired');
          await session.send('Page.navigate', { url: to });
          await loaded;
        },
        async heapAfterGc() {
          for (let i = 0; i < 3; i++) await session.send('HeapProfiler.collectGarbage');
          const usage = await session.send<{ usedSize: number }>('Runtime.getHeapUsage');
          return usage.usedSize;
        },
      };
      if (url !== 'about:blank') await page.goto(url);
      return page;
    },
    async close() {
      for (const socket of sockets) socket.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Browser.close lets Chromium's helper processes finish writing the profile first.
      const browser = new WebSocket(endpoint, { perMessageDeflate: false });
      await opened(browser);
      await new Session(browser).send('Browser.close').catch(() => child.kill('SIGKILL'));
      await exited;
      browser.close();
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
