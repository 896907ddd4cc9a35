import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Checks `Authorization: Bearer <token>` (RFC 6750 §2.1) in constant time. Both sides are
 * hashed first so that timingSafeEqual compares equal lengths and the comparison time
 * says nothing about the token's length or any prefix of it.
 */
export function bearerAuth(token: string): (req: IncomingMessage) => boolean {
  if (token.length === 0) throw new Error('the API token is empty');
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization ?? '';
    // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
    const m = /^Bearer +(\S+) *$/i.exec(header);
    const given = digest(m?.[1] ?? '');
    return timingSafeEqual(given, expected) && m !== null;
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
