// Signed tokens with HMAC-SHA256 (node:crypto): a long-lived session token in an httpOnly
// cookie, and short-lived socket tokens minted from it for every (re)connect.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const SECRET = process.env.DEMO_SECRET ?? 'wirekit-demo-secret-change-me';
export const SESSION_COOKIE = 'wk_session';
const SESSION_TTL = 7 * 24 * 3600 * 1000;
const SOCKET_TTL = 15 * 60 * 1000;

/**
 * `sid` names one sign-in (one browser); its socket tokens carry it, so signing out can end
 * that browser's sockets.
 * @typedef {{ sub: string, name: string, exp: number, kind: 'session' | 'socket', sid?: string }} Claims
 */

/** @param {Omit<Claims, 'exp'>} claims @param {number} ttl */
function sign(claims, ttl) {
  const body = Buffer.from(JSON.stringify({ ...claims, exp: Date.now() + ttl })).toString(
    'base64url',
  );
  const mac = createHmac('sha256', SECRET).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/** @param {unknown} token @param {Claims['kind']} kind @returns {Claims | null} */
function verify(token, kind) {
  if (typeof token !== 'string' || token.length > 1024) return null;
  const [body, mac] = token.split('.');
  if (!body || !mac) return null;
  const expected = createHmac('sha256', SECRET).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = /** @type {Claims} */ (JSON.parse(Buffer.from(body, 'base64url').toString()));
    if (claims.kind !== kind || typeof claims.sub !== 'string' || claims.exp < Date.now())
      return null;
    return claims;
  } catch {
    return null;
  }
}

/**
 * A user id from a display name: stable, url-safe, the same for names that differ only in case
 * or surrounding spaces. A name the slug cannot spell out ("Зоя", "José", "a!") gets a hash of
 * itself appended, so that two such names never share one id (and one user's notifications).
 * @param {string} name
 */
export function userIdFor(name) {
  const canonical = name.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  const slug = canonical
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 32);
  if (slug && slug === canonical.replaceAll(' ', '-')) return slug;
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 8);
  return `${slug.slice(0, 23).replace(/-$/, '') || 'u'}-${hash}`;
}

/** @param {string} name */
export function createSessionToken(name) {
  return sign({ sub: userIdFor(name), name, sid: randomUUID(), kind: 'session' }, SESSION_TTL);
}

/** @param {unknown} token */
export function verifySessionToken(token) {
  return verify(token, 'session');
}

/** @param {{ sub: string, name: string, sid?: string }} session */
export function createSocketToken(session) {
  const { sub, name, sid } = session;
  return sign({ sub, name, ...(sid ? { sid } : {}), kind: 'socket' }, SOCKET_TTL);
}

/** @param {unknown} token */
export function verifySocketToken(token) {
  return verify(token, 'socket');
}

/** The Socket.IO room of one sign-in's sockets (see `sid`). @param {string} sid */
export function signInRoom(sid) {
  return `demo:signin:${sid}`;
}
