import type { ChatItem } from '@wirekit/core';

/** A piece of message text: plain text or an http(s) link. */
export type TextSegment =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Only http(s); anything else (javascript:, data:, mailto:…) stays text.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that usually ends a sentence rather than a URL.
const TRAILING = /[.,;:!?)\]}'"]+$/;

/**
 * Splits text into text and http(s) link segments. The result is rendered as text nodes and
 * `<a>` elements (never as HTML), so markup in messages stays inert.
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let raw = match[0];
    const trailing = TRAILING.exec(raw)?.[0] ?? '';
    raw = raw.slice(0, raw.length - trailing.length);
    // Put back a ')' that closes a '(' inside the URL (Wikipedia-style links).
    if (trailing.startsWith(')') && count(raw, '(') > count(raw, ')')) raw += ')';
    const href = safeHref(raw);
    if (!href) continue;
    const start = match.index;
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) });
    segments.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The normalised href when `raw` parses as an http(s) URL, else `null`. */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Consecutive messages by one author within this window share one header. */
export const GROUP_WINDOW_MS = 5 * 60_000;

/** Whether `item` continues `prev`'s group (same author, same day, within the window). */
export function continuesGroup(prev: ChatItem | undefined, item: ChatItem): boolean {
  return (
    prev !== undefined &&
    prev.user.id === item.user.id &&
    item.createdAt - prev.createdAt < GROUP_WINDOW_MS &&
    sameDay(prev.createdAt, item.createdAt)
  );
}

/** Whether two timestamps fall on the same local calendar day. */
export function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

/** `HH:MM` in the given locale. */
export function formatTime(ts: number, locale?: string): string {
  return new Date(ts).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/** Full date and time, for `title` / `datetime`. */
export function formatFull(ts: number, locale?: string): string {
  return new Date(ts).toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}

/** A date separator's text: today / yesterday labels, else a long date. */
export function formatDay(
  ts: number,
  now: number,
  labels: { today: string; yesterday: string },
  locale?: string,
): string {
  if (sameDay(ts, now)) return labels.today;
  // The last moment before today's midnight: `now - 24 h` misses by an hour on DST days.
  if (sameDay(ts, new Date(now).setHours(0, 0, 0, 0) - 1)) return labels.yesterday;
  return new Date(ts).toLocaleDateString(locale, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  });
}
