/**
 * The wirekit chat + notification protocol: event names, payload types,
 * valibot schemas (Standard Schema validators) and the ack shape, shared by
 * `@wirekit/core` and `@wirekit/server`. Safe in browsers and Node.
 *
 * @module
 */
export { PROTOCOL_VERSION, ClientEvents, ServerEvents } from './events.js';
export type { ClientEventName, ServerEventName } from './events.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_PAGE_SIZE,
  ROOM_NAME_PATTERN,
  ID_PATTERN,
  MAX_ID_LENGTH,
} from './limits.js';
export type { ProtocolLimits } from './limits.js';
export { ERROR_CODES, ackOk, ackError, isAckError } from './errors.js';
export type { ErrorCode, WireError, Ack, AckOk, AckError } from './errors.js';
export {
  createSchemas,
  schemas,
  MAX_NOTIFICATION_TITLE,
  MAX_NOTIFICATION_BODY,
  MAX_NOTIFICATION_URL,
} from './schemas.js';
export type { ProtocolSchemas } from './schemas.js';
export { validatePayload } from './validate.js';
export type { Validated } from './validate.js';
export type * from './types.js';
