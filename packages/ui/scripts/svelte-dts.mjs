// Post-processes svelte-package's declarations so they resolve for every consumer setting
// (and for are-the-types-wrong):
// - `X.svelte.d.ts` is found for `import './X.svelte'` under `moduleResolution: bundler` but not
//   under `node16`/`nodenext`, which look for `X.d.svelte.ts`: write both.
// - a component's `import '../theme/theme.css'` is copied into its declaration, where it is a
//   side-effect import TypeScript cannot resolve: declarations need no CSS, so drop it there.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CSS_IMPORT = /^import ['"][^'"]+\.css['"];?\n/gm;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      walk(path);
      continue;
    }
    if (!name.endsWith('.d.ts')) continue;
    const source = readFileSync(path, 'utf8');
    const cleaned = source.replace(CSS_IMPORT, '');
    if (cleaned !== source) writeFileSync(path, cleaned);
    if (name.endsWith('.svelte.d.ts')) {
      const twin = join(dir, name.replace(/\.svelte\.d\.ts$/, '.d.svelte.ts'));
      writeFileSync(twin, cleaned.replace(/\n?\/\/# sourceMappingURL=.*\n?$/, '\n'));
    }
  }
}

walk(new URL('../dist', import.meta.url).pathname);
