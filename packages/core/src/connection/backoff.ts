/** Reconnect delay policy. */
export interface BackoffOptions {
  /** First retry delay in ms. @default 500 */
  initialDelay?: number;
  /** Upper bound of any delay in ms. @default 30000 */
  maxDelay?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /**
   * Randomization as a fraction of the delay: the delay is drawn uniformly from
   * `[d·(1−jitter), d·(1+jitter)]` (then capped), so clients that dropped together don't
   * come back together. @default 0.5
   */
  jitter?: number;
  /**
   * How long a session must stay up (ms) for the next drop to start the backoff over. One that
   * drops sooner retries at the next step, so a server that accepts and then closes at once is
   * not reconnected to twice a second. @default 5000
   */
  minUptime?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  initialDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  jitter: 0.5,
  minUptime: 5000,
};

/** Delay before reconnect attempt `attempt` (1-based). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { initialDelay, maxDelay, factor, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const exp = Math.min(initialDelay * factor ** Math.max(0, attempt - 1), maxDelay);
  const spread = exp * Math.min(Math.max(jitter, 0), 1);
  const delay = exp - spread + 2 * spread * random();
  return Math.round(Math.min(Math.max(delay, 0), maxDelay));
}
