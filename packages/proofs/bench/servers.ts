import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The bare baseline server (fixtures/bench-server.mjs) in a child process. */
export async function startBenchServer(): Promise<{ url: string; stop(): void }> {
  const child = fork(fileURLToPath(new URL('../fixtures/bench-server.mjs', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
    child.on('message', (msg: { type: string; port: number }) => {
      if (msg.type === 'ready') resolve(msg.port);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      child.removeAllListeners('exit');
      child.kill('SIGKILL');
    },
  };
}
