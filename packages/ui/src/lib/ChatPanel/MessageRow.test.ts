import type { ChatItem } from '@wirekit/core';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { chatLabelsEn } from '../labels/chat.js';
import MessageRow from './MessageRow.svelte';

const t0 = new Date(2026, 0, 10, 12, 0).getTime();
const base: ChatItem = {
  id: 'm2',
  room: 'r',
  seq: 2,
  text: 'hello',
  user: { id: 'bob', name: 'Bob' },
  createdAt: t0 + 60_000,
  status: 'sent',
  clientId: null,
  error: null,
  own: false,
};
const prev: ChatItem = { ...base, id: 'm1', seq: 1, createdAt: t0 };

function row(item: Partial<ChatItem>, previous: ChatItem | null = prev) {
  const onretry = vi.fn();
  const onedit = vi.fn();
  const ondelete = vi.fn();
  const { container } = render(MessageRow, {
    item: { ...base, ...item },
    prev: previous ?? undefined,
    labels: chatLabelsEn,
    locale: 'en-US',
    now: t0,
    onretry,
    onedit,
    ondelete,
  });
  return { root: container.querySelector('.row')!, onretry, onedit, ondelete };
}

describe('MessageRow', () => {
  it('starts a group with author, time and a date separator; continues it without', () => {
    const first = row({}, null);
    expect(first.root).toHaveAttribute('data-group-start', 'true');
    expect(first.root.textContent).toContain('Today');
    expect(first.root.querySelector('time')).toHaveAttribute(
      'datetime',
      new Date(t0 + 60_000).toISOString(),
    );
    document.body.innerHTML = '';
    const next = row({});
    expect(next.root).toHaveAttribute('data-group-start', 'false');
    expect(next.root.querySelector('time')).toBeNull();
    // Screen readers still hear who wrote a grouped message.
    expect(next.root.querySelector('.wk-sr-only')?.textContent?.trim()).toBe('Bob:');
  });

  it('shows pending, failed with Retry, edited and deleted states', async () => {
    expect(row({ status: 'pending', own: true }).root).toHaveAttribute('data-state', 'pending');
    expect(screen.getByText('Sending…')).toBeInTheDocument();
    document.body.innerHTML = '';
    const failed = row({ status: 'failed', own: true });
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(failed.onretry).toHaveBeenCalledOnce();
    document.body.innerHTML = '';
    row({ editedAt: t0 + 70_000 });
    expect(screen.getByText('(edited)')).toBeInTheDocument();
    document.body.innerHTML = '';
    const deleted = row({ deletedAt: t0 + 80_000, text: '', own: true });
    expect(deleted.root).toHaveAttribute('data-state', 'deleted');
    expect(screen.getByText('This message was deleted')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
  });

  it('offers edit and delete on own sent messages only', async () => {
    const own = row({ own: true });
    await fireEvent.click(screen.getByRole('button', { name: 'Edit message' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Delete message' }));
    expect(own.onedit).toHaveBeenCalledOnce();
    expect(own.ondelete).toHaveBeenCalledOnce();
    document.body.innerHTML = '';
    row({ own: false });
    expect(screen.queryByRole('button', { name: 'Edit message' })).toBeNull();
  });
});
