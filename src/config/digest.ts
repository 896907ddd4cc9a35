import { createHmac, hkdfSync } from 'node:crypto';
import type { MasterKey } from './cipher.js';

/**
 * A keyed hash of a secret value, for what must compare values without holding them: the
 * plan (did the value change?) and audit entries (which value was set?). Keyed with a
 * key derived from the master key (HKDF, RFC 5869), so that someone holding the state file
 * alone cannot test guesses of a short secret against it.
 */
export function secretDigest(key: MasterKey, value: string): string {
  const digestKey = Buffer.from(hkdfSync('sha256', key.bytes.reveal(), Buffer.alloc(0), 'wharf config digest v1', 32));
  return `hmac-sha256:${createHmac('sha256', digestKey).update(value, 'utf8').digest('hex').slice(0, 32)}`;
}
