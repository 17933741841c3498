import axe from 'axe-core';
import { expect } from 'vitest';

/**
 * Runs axe-core on `root` (default: the document) and fails with a readable list of the
 * violations. In jsdom, rules that need layout (colour contrast) are skipped by axe itself;
 * run in the Chromium project for those.
 */
export async function expectNoAxeViolations(
  root: Element | Document = document,
  options: axe.RunOptions = {},
): Promise<void> {
  const result = await axe.run(root as axe.ElementContext, {
    resultTypes: ['violations'],
    ...options,
  });
  const report = result.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n` +
      v.nodes.map((n) => `  ${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n'),
  );
  expect(report, report.join('\n')).toEqual([]);
}
