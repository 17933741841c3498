import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { freePort, signIn, startProcess, stopProcess, visit } from './helpers.js';

// The production build (`vite build`, run by turbo before this test) served by server.js,
// with the Redis store and adapter, so history survives a server restart.
const appDir = fileURLToPath(new URL('..', import.meta.url));
let redis: ChildProcess | undefined;
let server: ChildProcess | undefined;
let baseURL = '';
let env: NodeJS.ProcessEnv = {};

async function startServer() {
  server = await startProcess('node', ['server.js'], /listening on/, env, appDir);
}

test.beforeAll(async () => {
  expect(existsSync(`${appDir}/build/handler.js`), 'run `pnpm --filter demo build` first').toBe(
    true,
  );
  const redisPort = await freePort();
  redis = await startProcess(
    process.env.REDIS_SERVER ?? 'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  );
  const port = await freePort();
  baseURL = `http://127.0.0.1:${port}`;
  env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    // Sessions outlive the restart below only with a fixed secret, as in a real deployment.
    DEMO_SECRET: 'e2e-production-secret',
  };
  await startServer();
});

test.afterAll(async () => {
  await stopProcess(server);
  await stopProcess(redis);
});

test('production server: chat, then a restart mid-chat delivers the pending message once', async ({
  browser,
}) => {
  const gina = await signIn(browser, 'Gina', baseURL);
  const hugo = await signIn(browser, 'Hugo', baseURL);
  await visit(gina, '/chat/random?monitor');
  await visit(hugo, '/chat/random');
  const ginaLog = gina.getByRole('log');
  const hugoLog = hugo.getByRole('log');

  const ginaBox = gina.getByRole('textbox', { name: /message/i });
  await ginaBox.fill('Before the restart');
  await ginaBox.press('Enter');
  await expect(hugoLog.getByText('Before the restart')).toHaveCount(1);
  const monitor = gina.getByRole('region', { name: /wirekit connections?/i });
  await expect(monitor).toContainText('connected');

  await stopProcess(server, 'SIGKILL');
  await expect(monitor).toContainText('reconnecting');

  await ginaBox.fill('Sent while the server was down');
  await ginaBox.press('Enter');
  const pending = ginaLog.locator('[data-state="pending"]', {
    hasText: 'Sent while the server was down',
  });
  await expect(pending).toHaveCount(1);

  await startServer();
  await expect(monitor).toContainText('connected', { timeout: 30_000 });
  await expect(hugoLog.getByText('Sent while the server was down')).toHaveCount(1, {
    timeout: 30_000,
  });
  await expect(ginaLog.getByText('Sent while the server was down')).toHaveCount(1);
  await expect(ginaLog.locator('[data-state="pending"]')).toHaveCount(0);
  await expect(hugoLog.getByText('Before the restart')).toHaveCount(1);

  await gina.context().close();
  await hugo.context().close();
});

test('SIGTERM stops the server while the status page streams its stats', async ({ browser }) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await visit(page, '/status');
  await expect(page.getByTestId('sse-state')).toHaveText('connected');

  const child = server!;
  child.kill('SIGTERM');
  // The event stream never ends by itself; the server must not wait for it forever.
  await expect.poll(() => child.exitCode, { timeout: 15_000 }).toBe(0);
  await context.close();
});

/** A session cookie signed with `secret`, as tokens.js signs them. */
function sessionCookie(secret: string, name: string) {
  const claims = { sub: name, name, sid: 'forged', kind: 'session', exp: Date.now() + 60_000 };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `wk_session=${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

test('HOST=0.0.0.0 without ORIGIN or DEMO_SECRET: sign-in works, the repo secret forges nothing', async ({
  browser,
}) => {
  const port = await freePort();
  const wildcard = await startProcess(
    'node',
    ['server.js'],
    /listening on/,
    { PORT: String(port), HOST: '0.0.0.0', REDIS_URL: '' },
    appDir,
  );
  try {
    const page = await signIn(browser, 'Vic', `http://localhost:${port}`);
    await page.context().close();
    // A session signed with the dev secret published in tokens.js is not accepted.
    const forged = await fetch(`http://localhost:${port}/chat/general`, {
      headers: { cookie: sessionCookie('wirekit-demo-secret-change-me', 'admin') },
      redirect: 'manual',
    });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('/');
  } finally {
    await stopProcess(wildcard);
  }
});
