import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

function freePort(): Promise<number> {
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

/** Resolves when redis logs that it accepts connections (no polling, no sleeps). */
function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => reject(new Error(`redis-server not ready in 10 s:\n${log}`)),
      10_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.resume();
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code ?? signal}:\n${log}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new Error(
          `cannot start redis-server (${error.message}); install Debian's redis-server or set REDIS_SERVER`,
        ),
      );
    });
  });
}

/**
 * Starts a throw-away `redis-server` (from $REDIS_SERVER or PATH) on a free
 * loopback port, without persistence, for the Redis store and adapter tests.
 */
export default async function setup(project: TestProject) {
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await waitReady(child);
  project.provide('redisUrl', `redis://127.0.0.1:${port}`);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
}
