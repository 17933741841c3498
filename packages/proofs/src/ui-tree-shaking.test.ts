import { expect, test } from 'vitest';
import { measureComponent } from '../bench/bundle.js';
import { COMPONENTS } from '../bench/svelte-bundle.js';

// The size budgets (.size-limit.ts) only mean something if `import { X } from '@wirekit/ui'`
// ships X alone: these check what the bundle is made of, not how big it is.
const labelsOf: Record<(typeof COMPONENTS)[number], string> = {
  ChatPanel: 'chat',
  NotificationBell: 'bell',
  ConnectionMonitor: 'monitor',
};

test.each(COMPONENTS)(
  "import { %s } from '@wirekit/ui' bundles that component, its labels and nothing of the others",
  async (name) => {
    const { inputs } = await measureComponent(`export { ${name} } from '@wirekit/ui';`);
    const shipped = Object.entries(inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file.replace(/\\/g, '/'));

    expect(shipped.filter((file) => file.includes(`/ui/dist/${name}/${name}.svelte`))).toHaveLength(
      1,
    );
    for (const other of COMPONENTS.filter((c) => c !== name)) {
      expect(shipped.filter((file) => file.includes(`/ui/dist/${other}/`))).toEqual([]);
    }
    const labelFiles = shipped.filter((file) =>
      /\/ui\/dist\/labels\/(chat|bell|monitor)\.js$/.test(file),
    );
    expect(labelFiles.map((file) => file.replace(/.*\/labels\//, ''))).toEqual([
      `${labelsOf[name]}.js`,
    ]);
    // The virtualised list is ChatPanel's alone.
    expect(shipped.some((file) => file.includes('/virtua/'))).toBe(name === 'ChatPanel');
    // svelte's runtime and @wirekit/core stay external (counted elsewhere).
    expect(shipped.filter((file) => /\/node_modules\/svelte\/|\/core\/dist\//.test(file))).toEqual(
      [],
    );
  },
);
