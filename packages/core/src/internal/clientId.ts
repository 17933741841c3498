let counter = 0;
const prefix = Math.random().toString(36).slice(2, 10);

/** A client-side message id, unique per page load, so the server can deduplicate resends. */
export function createClientId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (uuid) return uuid;
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter.toString(36)}`;
}
