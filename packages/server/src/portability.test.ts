import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = dirname(fileURLToPath(import.meta.url));

/** Files reachable from the main entry through runtime (non-type) imports. */
function runtimeGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const code = readFileSync(file, 'utf8');
    const specifiers = [
      ...code.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms),
    ]
      .map((m) => m[1] ?? '')
      .filter(Boolean);
    graph.set(file, specifiers);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return graph;
}

describe('the main entry', () => {
  it('imports no Node-only module at runtime (services run in browsers too)', () => {
    const graph = runtimeGraph(join(src, 'index.ts'));
    const external = [...graph].flatMap(([file, specs]) =>
      specs.filter((s) => !s.startsWith('.')).map((s) => `${relative(src, file)} → ${s}`),
    );
    expect(external.every((line) => line.endsWith('→ @wirekit/core/protocol'))).toBe(true);
    expect(graph.size).toBeGreaterThan(5);
  });

  it('leaves Node-only code to its own subpaths', () => {
    expect(readdirSync(src)).toEqual(expect.arrayContaining(['node.ts', 'vite.ts', 'redis']));
  });
});
