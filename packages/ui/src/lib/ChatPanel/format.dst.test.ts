import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDay } from './format.js';

const labels = { today: 'Today', yesterday: 'Yesterday' };
let tz: string | undefined;

// Berlin moves its clocks forward on 29 March 2026: that day has 23 hours.
beforeAll(() => {
  tz = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
});
afterAll(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

describe('formatDay across a daylight saving change', () => {
  it('calls the 23-hour day before "Yesterday" in the first hour after it, and not the day before that', () => {
    const now = new Date(2026, 2, 30, 0, 30).getTime();
    expect(new Date(2026, 2, 29, 12, 0).getTimezoneOffset()).not.toBe(
      new Date(2026, 2, 28, 12, 0).getTimezoneOffset(),
    );
    expect(formatDay(new Date(2026, 2, 29, 12, 0).getTime(), now, labels, 'en-US')).toBe(
      'Yesterday',
    );
    expect(formatDay(new Date(2026, 2, 28, 23, 45).getTime(), now, labels, 'en-US')).toBe(
      'Saturday, March 28, 2026',
    );
  });
});
