import * as v from 'valibot';
import type { Connection } from '../connection/Connection.js';
import { isWirekitError, WirekitError, type WirekitErrorKind } from '../errors.js';
import type { ErrorCode, WireError } from '../protocol/errors.js';
import { ERROR_CODES } from '../protocol/errors.js';

/** What a model request ends with: never a rejection, so no unhandled promise. */
export type RequestOutcome<T> =
  { ok: true; value: T } | { ok: false; error: WireError | WirekitError };

const wireError = v.object({
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  retryAfterMs: v.optional(v.number()),
  issues: v.optional(v.array(v.object({ path: v.string(), message: v.string() }))),
});

/**
 * Sends an acked event and checks the reply against the protocol's result schema. A reply
 * that fits neither branch of the ack is an `invalid` error, never trusted.
 */
export async function request<T>(
  connection: Connection,
  event: string,
  data: unknown,
  result: v.GenericSchema<unknown, T>,
  options: { cid?: string; timeout?: number } = {},
): Promise<RequestOutcome<T>> {
  let reply: unknown;
  try {
    reply = await connection.send(event, data, {
      ack: true,
      ...(options.cid !== undefined ? { cid: options.cid } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    });
  } catch (error) {
    return {
      ok: false,
      error: isWirekitError(error)
        ? error
        : new WirekitError('network', `"${event}" failed`, { cause: error }),
    };
  }
  if (typeof reply === 'object' && reply !== null && (reply as { ok?: unknown }).ok === false) {
    const parsed = v.safeParse(wireError, (reply as { error?: unknown }).error);
    if (parsed.success) return { ok: false, error: parsed.output };
  } else if (typeof reply === 'object' && reply !== null) {
    const parsed = v.safeParse(result, reply);
    if (parsed.success) return { ok: true, value: parsed.output };
  }
  return { ok: false, error: new WirekitError('invalid', `"${event}": malformed reply`) };
}

const KIND_OF: Partial<Record<ErrorCode, WirekitErrorKind>> = {
  invalid: 'invalid',
  too_large: 'invalid',
  unauthorized: 'unauthorized',
};

/** The error as a `WirekitError` (for promise rejections); a wire error keeps its code in `data`. */
export function toWirekitError(error: WireError | WirekitError): WirekitError {
  if (isWirekitError(error)) return error;
  return new WirekitError(KIND_OF[error.code] ?? 'server', error.message, { data: error });
}

/** True for a wire error with this code. */
export function isWireCode(error: WireError | WirekitError, code: ErrorCode): boolean {
  return !isWirekitError(error) && error.code === code;
}
