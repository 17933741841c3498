import * as v from 'valibot';
import { ackError, type AckError } from './errors.js';

const TEXT_FIELDS = new Set(['text', 'body', 'title']);

/** Outcome of {@link validatePayload}. */
export type Validated<T> = { ok: true; value: T } | AckError;

/**
 * Validates a payload and turns failures into a typed ack error: `too_large`
 * when a free-text field (`text`, `title`, `body`) is over its length limit, `invalid` otherwise, with the
 * failing fields listed in `issues`.
 *
 * @example
 * const r = validatePayload(schemas.client['chat:send'], data);
 * if (!r.ok) return ack(r);
 */
export function validatePayload<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): Validated<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const issues = result.issues.slice(0, 10).map((issue) => ({
    path: v.getDotPath(issue) ?? '',
    message: issue.message,
  }));
  // Only the free-text fields are "too large"; an over-long id or room name is malformed.
  const tooLarge = result.issues.some(
    (issue) => issue.type === 'max_length' && TEXT_FIELDS.has(v.getDotPath(issue) ?? ''),
  );
  const first = issues[0];
  const summary = first ? `${first.path || 'payload'} ${first.message}` : 'invalid payload';
  return ackError(tooLarge ? 'too_large' : 'invalid', summary, { issues });
}
