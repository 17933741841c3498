/**
 * Approximate wire size of a payload in bytes (JSON length; binary by byteLength), or `-1` when
 * it cannot be serialized (cycles, BigInt).
 */
export function payloadSize(data: unknown): number {
  if (data === undefined || data === null) return 0;
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  try {
    return JSON.stringify(data)?.length ?? 0;
  } catch {
    return -1;
  }
}
