#!/usr/bin/env node
// Checks that the oldest Svelte our `svelte` peer range allows can use the published packages:
// installs exactly that version (npm, in a temp dir outside the workspace), compiles every
// `.svelte` and `.svelte.js` file the packages ship (plus those of dependencies that ship Svelte
// sources, like virtua), and checks that every name they import from `svelte/*` exists there.
// Run after `pnpm build`: `pnpm peer:check`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['packages/svelte', 'packages/ui'];
/** Dependencies that ship Svelte sources the app compiles: package → folder inside it. */
const SOURCE_DEPS = { virtua: 'lib/svelte' };

const ranges = PACKAGES.map((dir) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  return { dir, name: pkg.name, range: pkg.peerDependencies.svelte };
});
const minimums = new Set(ranges.map((r) => /^\^(\d+\.\d+\.\d+)$/.exec(r.range)?.[1]));
if (minimums.size !== 1 || minimums.has(undefined)) {
  throw new Error(`expected one "^x.y.z" svelte peer range: ${JSON.stringify(ranges)}`);
}
const [minimum] = minimums;

const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
// What the packages publish (tests are excluded from `files`).
const published = (path) => !/\.test(-d)?\.|[/\\]test-utils[/\\]/.test(path);

const temp = await mkdtemp(join(tmpdir(), 'wirekit-peer-'));
try {
  await writeFile(join(temp, 'package.json'), '{ "private": true }');
  execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', `svelte@${minimum}`], {
    cwd: temp,
    stdio: 'inherit',
  });
  // Imported from inside the temp dir, so `svelte` resolves there, with ESM conditions.
  await writeFile(join(temp, 'probe.mjs'), 'export const load = (specifier) => import(specifier);');
  const { load } = await import(pathToFileURL(join(temp, 'probe.mjs')).href);
  const { compile, compileModule } = await load('svelte/compiler');

  const files = PACKAGES.flatMap((dir) => walk(join(ROOT, dir, 'dist')).filter(published));
  const fromUi = createRequire(join(ROOT, 'packages/ui/package.json'));
  for (const [dep, folder] of Object.entries(SOURCE_DEPS)) {
    const root = dirname(fromUi.resolve(`${dep}/package.json`));
    files.push(...walk(join(root, folder)));
  }

  const failures = [];
  const imports = new Map();
  let compiled = 0;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    try {
      if (file.endsWith('.svelte')) compile(source, { filename: file, generate: 'client' });
      else if (file.endsWith('.svelte.js'))
        compileModule(source, { filename: file, generate: 'client' });
      else if (!file.endsWith('.js')) continue;
      if (file.endsWith('.svelte') || file.endsWith('.svelte.js')) compiled += 1;
    } catch (error) {
      failures.push(`${file.slice(ROOT.length + 1)}: ${String(error.message).split('\n')[0]}`);
    }
    for (const m of source.matchAll(
      /import\s+\{([^}]+)\}\s+from\s+['"](svelte(?:\/[\w-]+)?)['"]/g,
    )) {
      const names = m[1].split(',').map((s) => s.trim().split(/\s+as\s+/)[0]);
      for (const name of names) {
        if (name && !name.startsWith('type ')) {
          (imports.get(m[2]) ?? imports.set(m[2], new Set()).get(m[2])).add(name);
        }
      }
    }
  }
  for (const [specifier, names] of imports) {
    const mod = await load(specifier);
    for (const name of names) {
      if (!(name in mod))
        failures.push(`svelte@${minimum} has no export "${name}" in ${specifier}`);
    }
  }

  if (failures.length > 0) {
    console.error(`svelte peer check: svelte@${minimum} cannot use the packages:`);
    for (const failure of failures) console.error(`  ${failure}`);
    process.exit(1);
  }
  const used = [...imports].map(([s, n]) => `${s} {${[...n].join(', ')}}`).join('; ');
  console.log(
    `svelte peer check passed: svelte@${minimum} (${ranges.map((r) => `${r.name} ${r.range}`).join(', ')}) compiles ${compiled} files; imports exist: ${used}`,
  );
} finally {
  await rm(temp, { recursive: true, force: true });
}
