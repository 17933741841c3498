import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { chatLabelsEn } from '../labels/chat.js';
import Composer from './Composer.svelte';

function setup(props: Partial<{ maxLength: number; editing: boolean }> = {}) {
  const onsubmit = vi.fn<(text: string) => boolean | void>();
  const oncancel = vi.fn();
  const onarrowup = vi.fn();
  render(Composer, {
    labels: chatLabelsEn,
    maxLength: 4000,
    onsubmit,
    oncancel,
    onarrowup,
    ...props,
  });
  const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
  return { box, onsubmit, oncancel, onarrowup };
}

describe('Composer', () => {
  it('sends on Enter, not on Shift+Enter, and clears the box', async () => {
    const { box, onsubmit } = setup();
    const send = screen.getByRole('button', { name: 'Send' });
    expect(send).toBeDisabled();
    await fireEvent.input(box, { target: { value: '  hi  ' } });
    expect(send).toBeEnabled();
    await fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onsubmit).not.toHaveBeenCalled();
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(onsubmit).toHaveBeenCalledWith('hi');
    expect(box.value).toBe('');
    expect(send).toBeDisabled();
  });

  it('does not send while an IME is composing, nor blank text', async () => {
    const { box, onsubmit } = setup();
    await fireEvent.input(box, { target: { value: 'にほんご' } });
    await fireEvent.keyDown(box, { key: 'Enter', isComposing: true });
    await fireEvent.input(box, { target: { value: '   ' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(onsubmit).not.toHaveBeenCalled();
  });

  it('keeps the text when the submit is refused', async () => {
    const { box, onsubmit } = setup();
    onsubmit.mockReturnValue(false);
    await fireEvent.input(box, { target: { value: 'keep me' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(box.value).toBe('keep me');
  });

  it('shows a counter near the limit', async () => {
    const { box } = setup({ maxLength: 100 });
    expect(box).toHaveAttribute('maxlength', '100');
    await fireEvent.input(box, { target: { value: 'x'.repeat(40) } });
    expect(screen.queryByText(/characters left/)).toBeNull();
    await fireEvent.input(box, { target: { value: 'x'.repeat(60) } });
    expect(screen.getByText('40 characters left')).toBeInTheDocument();
    expect(box.getAttribute('aria-describedby')).toContain('count');
  });

  it('ArrowUp in an empty box asks to edit; Escape cancels editing', async () => {
    const { box, onarrowup } = setup();
    await fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(onarrowup).toHaveBeenCalledOnce();
    await fireEvent.input(box, { target: { value: 'x' } });
    await fireEvent.keyDown(box, { key: 'ArrowUp' });
    expect(onarrowup).toHaveBeenCalledOnce();
  });

  it('in edit mode saves and cancels with Escape', async () => {
    const { box, oncancel } = setup({ editing: true });
    expect(screen.getByRole('button', { name: 'Save' })).toBeInTheDocument();
    await fireEvent.keyDown(box, { key: 'Escape' });
    expect(oncancel).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel editing' }));
    expect(oncancel).toHaveBeenCalledTimes(2);
  });
});
