import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A free loopback port (the kernel picks; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerConfig {
  port?: number;
  store?: 'memory' | 'redis';
  /** MemoryStore options (retention caps), for the memory store. */
  memoryStore?: { maxHistoryPerRoom?: number; maxDedupeKeys?: number };
  redisUrl?: string;
  prefix?: string;
  rateLimit?: { capacity: number; refillPerSecond: number } | false;
  maxConnections?: number;
  maxEventBytes?: number;
  maxHttpBufferSize?: number;
  revoked?: string[];
  expiresAt?: Record<string, number>;
}

export interface Health {
  health: {
    connections: number;
    counters: {
      messages: number;
      refused: Record<string, number>;
      errors: Record<string, number>;
    };
  };
  memory: { rss: number; heapUsed: number };
  errors: number;
}

/** A wirekit server (fixtures/server.mjs) in a child process. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  #seq = 0;

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.port = port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static start(config: ServerConfig = {}): Promise<ServerProcess> {
    const child = fork(fixture('server.mjs'), [], {
      env: { ...process.env, WK_CONFIG: JSON.stringify(config) },
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`server exited: ${code ?? signal}`)));
      child.on('message', (msg: { type: string; port: number }) => {
        if (msg.type === 'ready') resolve(new ServerProcess(child, msg.port));
      });
    });
  }

  /** Health and memory after a forced GC in the server process. */
  health(): Promise<Health> {
    const id = ++this.#seq;
    return new Promise((resolve) => {
      const onMessage = (msg: Health & { type: string; id: number }) => {
        if (msg.type !== 'health' || msg.id !== id) return;
        this.child.off('message', onMessage);
        resolve(msg);
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'health', id });
    });
  }

  /**
   * Health once the heap after GC stops falling (two readings within 64 KB). Right after the
   * last client leaves, the departed sessions are still held for a moment by pending work
   * (presence windows, close handshakes): a single reading there is several MB too high.
   */
  async idleHealth(timeoutMs = 15_000): Promise<Health> {
    const deadline = Date.now() + timeoutMs;
    let previous = await this.health();
    for (;;) {
      // Lets the server's pending timers run between readings; the exit is the condition.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const current = await this.health();
      if (Math.abs(current.memory.heapUsed - previous.memory.heapUsed) < 64 * 1024) return current;
      if (Date.now() > deadline) throw new Error('the server heap did not settle');
      previous = current;
    }
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal; for SIGKILL waits until the process is gone. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive()) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    if (signal === 'SIGKILL') await exited;
  }

  async stop(): Promise<void> {
    if (!this.alive()) return;
    if (this.child.signalCode === null) this.child.kill('SIGCONT');
    await this.signal('SIGKILL');
  }
}

/** Runs fixtures/load-clients.mjs and resolves with its result. */
/** What the load helper (fixtures/load-clients.mjs, mode `load`) reports. */
export interface LoadResult {
  clients: number;
  connected: number;
  connectErrors: number;
  disconnects: number;
  sent: number;
  acked: number;
  ackErrors: number;
  received: number;
  errorCodes: Record<string, number>;
}

export function runClients<T>(config: Record<string, unknown>): Promise<T> {
  const child = fork(fixture('load-clients.mjs'), [], {
    env: { ...process.env, WK_LOAD: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`load helper exited early: ${code}`)));
    child.on('message', (msg: { type: string; result: T }) => {
      if (msg.type === 'result') {
        child.removeAllListeners('exit');
        child.kill();
        resolve(msg.result);
      }
    });
  });
}

/** A throw-away redis-server (no persistence) on a free port. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.env.REDIS_SERVER ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        child.stdout.resume();
        resolve();
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${log}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Sends a message to a server process and resolves with its reply of `reply` type. */
export function ask<T>(
  server: ServerProcess,
  message: Record<string, unknown>,
  reply: string,
): Promise<T> {
  const id = Math.random();
  return new Promise((resolve) => {
    const onMessage = (msg: T & { type: string; id: number }) => {
      if (msg.type !== reply || msg.id !== id) return;
      server.child.off('message', onMessage);
      resolve(msg);
    };
    server.child.on('message', onMessage);
    server.child.send({ ...message, id });
  });
}
