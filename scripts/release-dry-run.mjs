#!/usr/bin/env node
/**
 * Publish dry run: everything `pnpm release` would do, minus the upload.
 *
 *   pnpm release:dry                 # build + pack checks + changeset checks
 *   pnpm release:dry --skip-build    # when `pnpm build` just ran (turbo caches it anyway)
 *
 * 1. Finds the public workspace packages (`pnpm -r ls`; private apps are skipped).
 * 2. Builds them (turbo, so a warm cache makes this near-free).
 * 3. Per package: `publint --strict`, `attw --pack . --profile esm-only`, `pnpm pack` into a
 *    temp dir and an inspection of the tarball: dist, every `exports` target with its types,
 *    README.md / LICENSE / CHANGELOG.md, no tests or test-utils, no `workspace:` ranges left,
 *    and every source map's `sources` present in the tarball.
 * 4. `changeset status` must succeed and plan releases of public packages only.
 * 5. On a throwaway git copy of the repo (no node_modules, reusing this checkout's binaries):
 *    drop the pending changesets, add one that bumps a single package, run the real
 *    `pnpm version-packages`, and assert that exactly that package and its dependents were
 *    bumped (per `updateInternalDependencies` and the `linked` groups) with changelog entries
 *    and nothing else changed.
 *
 * Exits non-zero with a list of problems if any check fails. Node ESM, no dependencies.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const problems = [];
const started = Date.now();

/** Runs a command, echoing it; returns stdout. Throws (with output) on a non-zero exit. */
function run(cmd, cmdArgs, { cwd = root, quiet = false, env } = {}) {
  if (!quiet)
    console.log(`$ ${[cmd, ...cmdArgs].join(' ')}${cwd === root ? '' : `   (in ${cwd})`}`);
  try {
    return execFileSync(cmd, cmdArgs, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`\`${[cmd, ...cmdArgs].join(' ')}\` failed (exit ${error.status}):\n${out}`, {
      cause: error,
    });
  }
}

/** Records a failed check instead of stopping, so one run reports everything. */
function check(label, fn) {
  try {
    fn();
    console.log(`  ok   ${label}`);
  } catch (error) {
    console.log(`  FAIL ${label}`);
    problems.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function fail(message) {
  throw new Error(message);
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wirekit-release-dry-'));
const binChangeset = path.join(root, 'node_modules', '.bin', 'changeset');

// ---------------------------------------------------------------------------
// 1. Workspace packages
// ---------------------------------------------------------------------------

/** @returns {{ name: string, version: string, dir: string, private: boolean, pkg: any }[]} */
function workspacePackages(cwd) {
  const listed = JSON.parse(
    run('pnpm', ['-r', 'ls', '--json', '--depth', '-1'], { cwd, quiet: true }),
  );
  return listed
    .filter((p) => path.resolve(p.path) !== path.resolve(cwd))
    .map((p) => {
      const pkg = readJson(path.join(p.path, 'package.json'));
      return { name: pkg.name, version: pkg.version, dir: p.path, private: !!pkg.private, pkg };
    });
}

const all = workspacePackages(root);
const publicPackages = all.filter((p) => !p.private);
console.log(
  `public packages: ${publicPackages.map((p) => p.name).join(', ')}` +
    `\nprivate (not released): ${
      all
        .filter((p) => p.private)
        .map((p) => p.name)
        .join(', ') || '-'
    }`,
);
if (publicPackages.length === 0) fail('no public workspace packages found');

// ---------------------------------------------------------------------------
// 2. Build
// ---------------------------------------------------------------------------

if (!args.has('--skip-build')) {
  run('pnpm', [
    'exec',
    'turbo',
    'run',
    'build',
    ...publicPackages.map((p) => `--filter=${p.name}`),
  ]);
}

// ---------------------------------------------------------------------------
// 3. Lint, pack and inspect each public package
// ---------------------------------------------------------------------------

const TEST_FILE = /(^|\/)(test-utils|__tests__)\/|\.(test|test-d|spec)\./;

/** Every string leaf of an `exports` map, with the condition path that leads to it. */
function exportTargets(exportsField, trail = []) {
  if (typeof exportsField === 'string') return [{ trail, target: exportsField }];
  if (!exportsField || typeof exportsField !== 'object') return [];
  return Object.entries(exportsField).flatMap(([key, value]) =>
    exportTargets(value, [...trail, key]),
  );
}

/** All file paths under dir, relative to it, with forward slashes. */
function listFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
  });
}

for (const p of publicPackages) {
  console.log(`\n${p.name} (${path.relative(root, p.dir)})`);
  check(`${p.name}: publint --strict`, () =>
    run('pnpm', ['exec', 'publint', '--strict'], { cwd: p.dir, quiet: true }),
  );
  check(`${p.name}: attw --pack . --profile esm-only`, () =>
    run('pnpm', ['exec', 'attw', '--pack', '.', '--profile', 'esm-only'], {
      cwd: p.dir,
      quiet: true,
    }),
  );

  const packDir = path.join(tmp, 'pack', p.name.replace('/', '__'));
  fs.mkdirSync(packDir, { recursive: true });
  let files = [];
  let unpacked = '';
  check(`${p.name}: pnpm pack`, () => {
    run('pnpm', ['pack', '--pack-destination', packDir], { cwd: p.dir, quiet: true });
    const tarball = fs.readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    if (!tarball) fail('no tarball produced');
    run('tar', ['-xzf', path.join(packDir, tarball), '-C', packDir], { quiet: true });
    unpacked = path.join(packDir, 'package');
    files = listFiles(unpacked);
  });
  if (!unpacked) continue;
  const has = new Set(files);
  const packed = readJson(path.join(unpacked, 'package.json'));

  check(`${p.name}: tarball holds dist/, README.md, LICENSE, CHANGELOG.md`, () => {
    const missing = ['README.md', 'LICENSE', 'CHANGELOG.md'].filter((f) => !has.has(f));
    if (!files.some((f) => f.startsWith('dist/'))) missing.push('dist/');
    if (missing.length) {
      fail(
        `missing ${missing.join(', ')} (a new package needs a stub CHANGELOG.md ` +
          `"# ${p.name}", with "CHANGELOG.md" listed in "files")`,
      );
    }
  });

  check(`${p.name}: every export target (and its types) is in the tarball`, () => {
    const exportsField = packed.exports;
    if (!exportsField || typeof exportsField !== 'object') fail('no "exports" map');
    const bad = [];
    for (const [subpath, entry] of Object.entries(exportsField)) {
      if (subpath.includes('*')) bad.push(`${subpath}: wildcard exports are not allowed`);
      if (subpath === './package.json') continue;
      const targets = exportTargets(entry);
      if (!targets.some((t) => t.trail.includes('types') && /\.d\.[cm]?ts$/.test(t.target))) {
        bad.push(`${subpath}: no "types" condition pointing at a .d.ts`);
      }
      for (const { target } of targets) {
        if (!has.has(path.posix.normalize(target))) bad.push(`${subpath}: ${target} not packed`);
      }
    }
    if (bad.length) fail(bad.join('; '));
  });

  check(`${p.name}: no test files or test-utils`, () => {
    const tests = files.filter((f) => TEST_FILE.test(f));
    if (tests.length)
      fail(`packed: ${tests.slice(0, 10).join(', ')}${tests.length > 10 ? ' …' : ''}`);
  });

  check(`${p.name}: no workspace: / catalog: ranges in the packed package.json`, () => {
    const leftovers = ['dependencies', 'peerDependencies', 'optionalDependencies']
      .flatMap((field) => Object.entries(packed[field] ?? {}))
      .filter(([, range]) => /^(workspace|catalog):/.test(String(range)));
    if (leftovers.length) fail(leftovers.map(([n, r]) => `${n}@${r}`).join(', '));
  });

  check(`${p.name}: source maps only reference packed files`, () => {
    const bad = [];
    for (const file of files) {
      if (/\.(c|m)?js$|\.d\.[cm]?ts$/.test(file)) {
        const text = fs.readFileSync(path.join(unpacked, file), 'utf8');
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
        if (url && !url.startsWith('data:')) {
          const mapFile = path.posix.join(path.posix.dirname(file), url);
          if (!has.has(mapFile)) bad.push(`${file} -> ${url} (map not packed)`);
        }
      }
      if (!file.endsWith('.map')) continue;
      const map = readJson(path.join(unpacked, file));
      const base = path.posix.join(path.posix.dirname(file), map.sourceRoot ?? '');
      (map.sources ?? []).forEach((source, i) => {
        if (map.sourcesContent?.[i] != null) return; // inlined, nothing to resolve
        const resolved = path.posix.normalize(path.posix.join(base, source));
        if (!has.has(resolved)) bad.push(`${file} -> ${source}`);
      });
    }
    if (bad.length) {
      fail(
        `${bad.length} dangling: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ' …' : ''} ` +
          '(ship the sources in "files", or stop emitting maps)',
      );
    }
  });
}

// ---------------------------------------------------------------------------
// 4. changeset status
// ---------------------------------------------------------------------------

console.log('\nchangesets');
const config = readJson(path.join(root, '.changeset', 'config.json'));
const publicNames = new Set(publicPackages.map((p) => p.name));

check('changeset status: config valid, releases only public packages', () => {
  const statusFile = path.join(tmp, 'status.json');
  // `--output` is resolved against the cwd; the relative path keeps it inside tmp.
  const hasBase = (() => {
    try {
      run('git', ['rev-parse', '--verify', '--quiet', config.baseBranch ?? 'main'], {
        quiet: true,
      });
      return true;
    } catch {
      return false;
    }
  })();
  // Without the base branch (a detached CI checkout) compare against HEAD instead.
  const since = hasBase ? [] : ['--since', 'HEAD'];
  run(binChangeset, ['status', ...since, '--output', path.relative(root, statusFile)], {
    quiet: true,
  });
  const status = readJson(statusFile);
  // Private packages may show up with type "none" (skipped); anything else must be public.
  const releasing = status.releases.filter((r) => r.type !== 'none');
  const strays = releasing.filter((r) => !publicNames.has(r.name)).map((r) => r.name);
  if (strays.length) fail(`plans releases of non-public packages: ${strays.join(', ')}`);
  for (const r of releasing) {
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(r.newVersion))
      fail(`${r.name}: odd version ${r.newVersion}`);
  }
  console.log(
    `       pending: ${releasing.map((r) => `${r.name}@${r.newVersion} (${r.type})`).join(', ') || 'none'}`,
  );
});

check('changesets skips every private package', () => {
  const privateVersioned = config.privatePackages?.version !== false;
  const ignored = new Set(config.ignore ?? []);
  const notSkipped = all.filter((p) => p.private && privateVersioned && !ignored.has(p.name));
  if (notSkipped.length) {
    fail(`add to "ignore": ${notSkipped.map((p) => p.name).join(', ')}`);
  }
});

// ---------------------------------------------------------------------------
// 5. `pnpm version-packages` on a throwaway copy
// ---------------------------------------------------------------------------

const RANK = { none: 0, patch: 1, minor: 2, major: 3 };
const inc = (version, type) => {
  const [major, minor, patch] = version.split('-')[0].split('.').map(Number);
  if (type === 'major') return `${major + 1}.0.0`;
  if (type === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
};
const cmpVersion = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('-')[0].split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};
const globToRegExp = (glob) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '.')}$`,
  );

/**
 * What changesets should do for one `<target>: <type>` changeset: the target, then every
 * public package that depends on a bumped one (dependencies/optional → patch, peer → major
 * for a non-patch bump; devDependencies never release), then linked groups share the
 * highest bump type and continue from the group's highest current version.
 */
function expectedPlan(packages, target, type) {
  // The model below is what changesets does with "patch" (bump dependents on any bump).
  if (config.updateInternalDependencies !== 'patch') {
    fail('expectedPlan assumes updateInternalDependencies "patch"; update it with the config');
  }
  const releases = new Map([[target, type]]);
  const groups = (config.linked ?? []).map((group) =>
    packages.filter((p) => group.some((g) => globToRegExp(g).test(p.name))).map((p) => p.name),
  );
  for (let changed = true; changed;) {
    changed = false;
    const raise = (name, t) => {
      if (RANK[t] > RANK[releases.get(name) ?? 'none']) {
        releases.set(name, t);
        changed = true;
      }
    };
    for (const p of packages) {
      for (const [dep, depType] of releases) {
        if (p.pkg.dependencies?.[dep] || p.pkg.optionalDependencies?.[dep]) raise(p.name, 'patch');
        if (p.pkg.peerDependencies?.[dep]) raise(p.name, depType === 'patch' ? 'patch' : 'major');
      }
    }
    for (const group of groups) {
      const releasing = group.filter((n) => releases.has(n));
      const highest = releasing.reduce(
        (t, n) => (RANK[releases.get(n)] > RANK[t] ? releases.get(n) : t),
        'none',
      );
      releasing.forEach((n) => raise(n, highest));
    }
  }
  const versions = new Map();
  for (const [name, t] of releases) {
    const group = groups.find((g) => g.includes(name));
    const from = group
      ? group
          .map((n) => packages.find((p) => p.name === n).version)
          .sort(cmpVersion)
          .at(-1)
      : packages.find((p) => p.name === name).version;
    versions.set(name, inc(from, t));
  }
  return versions;
}

check(
  'pnpm version-packages on a throwaway copy bumps exactly the package and its dependents',
  () => {
    const copy = path.join(tmp, 'repo');
    // Tracked + untracked-but-not-ignored files: the working tree as it would be committed.
    const tracked = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      quiet: true,
    })
      .split('\0')
      .filter((f) => f && fs.existsSync(path.join(root, f)));
    for (const file of tracked) {
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(root, file), path.join(copy, file));
    }
    // Reuse the installed binaries (changeset, its changelog module's deps) instead of installing.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');

    const git = (...gitArgs) =>
      run(
        'git',
        [
          '-c',
          'user.name=dry-run',
          '-c',
          'user.email=dry-run@localhost',
          '-c',
          'commit.gpgsign=false',
          ...gitArgs,
        ],
        {
          cwd: copy,
          quiet: true,
        },
      );
    git('init', '-q', '-b', config.baseBranch ?? 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'baseline');

    // Start from "nothing pending" so the expectations only depend on our changeset.
    const changesetDir = path.join(copy, '.changeset');
    for (const f of fs.readdirSync(changesetDir)) {
      if (f.endsWith('.md') && f !== 'README.md') fs.rmSync(path.join(changesetDir, f));
    }
    const packages = workspacePackages(copy).filter((p) => !p.private);
    // The most depended-on package shows the dependent bumps best; core when it exists.
    const target = packages.find((p) => p.name === '@wirekit/core')?.name ?? packages[0].name;
    const summary = 'feat: release dry run bump';
    fs.writeFileSync(
      path.join(changesetDir, 'release-dry-run.md'),
      // The pr:/author: lines exercise scripts/changelog.cjs's offline GitHub-style links.
      `---\n'${target}': minor\n---\n\n${summary}\n\npr: #1\nauthor: @wirekit-bot\n`,
    );
    git('add', '-A');
    git('commit', '-q', '-m', 'dry run changeset');
    const changesetCommit = git('rev-parse', 'HEAD').trim();

    const expected = expectedPlan(packages, target, 'minor');
    run('pnpm', ['run', 'version-packages', '--offline'], {
      cwd: copy,
      quiet: true,
      env: { CI: 'true' },
    });

    const bad = [];
    const after = new Map(workspacePackages(copy).map((p) => [p.name, p]));
    for (const p of packages) {
      const now = after.get(p.name);
      const want = expected.get(p.name);
      if (want ? now.version !== want : now.version !== p.version) {
        bad.push(`${p.name}: ${p.version} -> ${now.version}, expected ${want ?? 'unchanged'}`);
      }
      if (!want) continue;
      const changelog = fs.readFileSync(path.join(now.dir, 'CHANGELOG.md'), 'utf8');
      if (!changelog.startsWith(`# ${p.name}\n\n## ${want}\n`)) {
        bad.push(`${p.name}: CHANGELOG.md does not start with "# ${p.name}" / "## ${want}"`);
      }
      const repo = `https://github.com/${config.changelog?.[1]?.repo}`;
      const entry =
        `- [#1](${repo}/pull/1) [\`${changesetCommit.slice(0, 7)}\`](${repo}/commit/${changesetCommit}) ` +
        `Thanks [@wirekit-bot](https://github.com/wirekit-bot)! - ${summary}\n`;
      if (p.name === target && (!changelog.includes(entry) || /^(pr|author):/m.test(changelog))) {
        bad.push(`${p.name}: CHANGELOG.md lacks the GitHub-style entry ${JSON.stringify(entry)}`);
      }
      if (p.name !== target && !changelog.includes(`- ${target}@${expected.get(target)}`)) {
        bad.push(
          `${p.name}: CHANGELOG.md lacks "Updated dependencies … ${target}@${expected.get(target)}"`,
        );
      }
    }

    // Nothing else: only the bumped packages' package.json/CHANGELOG.md, the consumed changeset
    // and (at most) the lockfile may differ from the committed copy.
    const allowed = new Set(['.changeset/release-dry-run.md', 'pnpm-lock.yaml']);
    for (const name of expected.keys()) {
      const dir = path.relative(copy, after.get(name).dir);
      allowed.add(`${dir}/package.json`).add(`${dir}/CHANGELOG.md`);
    }
    const changed = git('status', '--porcelain', '--untracked-files=all')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    const unexpected = changed.filter((f) => !allowed.has(f));
    if (unexpected.length) bad.push(`unexpected changes: ${unexpected.join(', ')}`);
    if (!changed.includes('.changeset/release-dry-run.md'))
      bad.push('the changeset was not consumed');
    if (bad.length) fail(bad.join('; '));
    console.log(
      `       ${target} minor -> ${[...expected].map(([n, v]) => `${n}@${v}`).join(', ')}`,
    );
  },
);

// ---------------------------------------------------------------------------

if (!args.has('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (problems.length) {
  console.error(
    `\nrelease dry run FAILED (${seconds}s):\n${problems.map((p) => `- ${p}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(
  `\nrelease dry run passed (${seconds}s): ${publicPackages.length} packages ready to publish`,
);
