// Starts the demo app when it exists; until then, says what to run instead.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (existsSync(new URL('../apps/demo/package.json', import.meta.url))) {
  const result = spawnSync('pnpm', ['--filter', 'demo', 'dev', '--host', '127.0.0.1'], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
console.log('The demo app (apps/demo) is not in this checkout yet.');
console.log('The packages are built; run `pnpm test:all` to see them work against real servers.');
