import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localWirekit } from '../../../test/local-wirekit.js';
import ConnectionMonitor from './ConnectionMonitor.svelte';

// A production build: esm-env's DEV is false.
vi.mock('esm-env', async (importOriginal) => ({
  ...(await importOriginal<typeof import('esm-env')>()),
  DEV: false,
}));

afterEach(() => cleanup());

describe('ConnectionMonitor outside dev', () => {
  it('renders nothing and needs no pool', () => {
    const { container } = render(ConnectionMonitor);
    expect(container.querySelector('.wk-monitor')).toBeNull();
  });

  it('renders when forced', async () => {
    const wk = localWirekit();
    render(ConnectionMonitor, { pool: wk.pool, force: true });
    expect(screen.getByRole('region', { name: 'wirekit connections' })).toHaveTextContent(
      '0 connections',
    );
    wk.pool.destroy();
  });
});
