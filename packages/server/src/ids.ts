let counter = 0;

/**
 * A unique, roughly time-ordered id made of url-safe characters, e.g.
 * `lrx3k2a9-0001-4f9a2c81d3e0b7a1`. Works in Node and browsers (no Node
 * imports): randomness comes from Web Crypto.
 */
export function createId(now: number = Date.now()): string {
  counter = (counter + 1) % 1_679_616; // 36^4
  const random = new Uint8Array(8);
  globalThis.crypto.getRandomValues(random);
  let hex = '';
  for (const byte of random) hex += byte.toString(16).padStart(2, '0');
  return `${now.toString(36)}-${counter.toString(36).padStart(4, '0')}-${hex}`;
}
