/** Limits enforced by the protocol validators (and announced in `wk:hello`). */
export interface ProtocolLimits {
  /**
   * Maximum length of a chat message, in UTF-16 code units.
   * @default 4000
   */
  maxTextLength: number;
  /**
   * Maximum length of a room name. Room names also match {@link ROOM_NAME_PATTERN}.
   * @default 64
   */
  maxRoomNameLength: number;
  /**
   * Maximum page size of `chat:history`, `chat:join` and `notify:list`.
   * @default 100
   */
  maxPageSize: number;
  /**
   * Maximum number of ids in one `notify:read` / `notify:dismiss` batch.
   * @default 100
   */
  maxBatchSize: number;
}

/** The limits used when none are given. */
export const DEFAULT_LIMITS: Readonly<ProtocolLimits> = Object.freeze({
  maxTextLength: 4000,
  maxRoomNameLength: 64,
  maxPageSize: 100,
  maxBatchSize: 100,
});

/**
 * Room names: letters, digits and `_ . : -`, starting with a letter or digit.
 * The length is bounded separately by `maxRoomNameLength`.
 */
export const ROOM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Client ids and message ids: url-safe characters only. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/** Maximum length of a client id, message id or cursor. */
export const MAX_ID_LENGTH = 64;

/** Default number of messages returned by `chat:join` and `chat:history`. */
export const DEFAULT_PAGE_SIZE = 50;
