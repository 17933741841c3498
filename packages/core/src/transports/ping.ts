/** Reserved event answered by `@wirekit/server` for the heartbeat (ack with anything). */
export const PING_EVENT = 'wk:ping';
