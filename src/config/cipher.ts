import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { WharfError } from '../errors.js';
import type { SealedValue } from '../state/types.js';
import type { Sensitive } from './sensitive.js';

/** AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce, the size §8.2.2 recommends for random nonces. */
const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface MasterKey {
  /** Derived from the key (not secret): stored with every ciphertext to say which key sealed it. */
  id: string;
  bytes: Sensitive<Buffer>;
}

/** Where a value belongs. It is the GCM additional data, so a ciphertext moved to another variable fails to open. */
export interface ValueAddress {
  app: string;
  env: string;
  name: string;
}

/** A short, stable id of a key: a domain-separated SHA-256, from which the key cannot be recovered. */
export function keyIdOf(bytes: Buffer): string {
  return createHash('sha256').update('wharf master key id\0').update(bytes).digest('hex').slice(0, 16);
}

function aad(where: ValueAddress): Buffer {
  // JSON of an array: no choice of names can make two addresses encode alike.
  return Buffer.from(JSON.stringify(['wharf-config-v1', where.app, where.env, where.name]));
}

/** Seals `plaintext` for `where` under `key`, with a fresh random nonce. */
export function seal(key: MasterKey, where: ValueAddress, plaintext: string): SealedValue {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.bytes.reveal(), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(where));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { keyId: key.id, nonce: nonce.toString('base64'), ciphertext: body.toString('base64') };
}

/**
 * Opens a sealed value. MASTER_KEY_MISMATCH when it was sealed under another key, or when
 * GCM authentication fails (a wrong key with a forged id, a damaged or swapped ciphertext).
 */
export function unseal(key: MasterKey, where: ValueAddress, sealed: SealedValue): string {
  const at = `${where.app}/${where.env} ${where.name}`;
  if (sealed.keyId !== key.id) {
    throw new WharfError('MASTER_KEY_MISMATCH', `the secret ${at} was sealed with master key ${sealed.keyId}, but the master key in use is ${key.id}`, {
      hint: 'start Wharf with the master key that sealed it (the data dir\'s master.key, or WHARF_MASTER_KEY)',
      details: { app: where.app, env: where.env, name: where.name, sealedWith: sealed.keyId, keyInUse: key.id },
    });
  }
  const body = Buffer.from(sealed.ciphertext, 'base64');
  try {
    const decipher = createDecipheriv(ALGORITHM, key.bytes.reveal(), Buffer.from(sealed.nonce, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(where));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new WharfError('MASTER_KEY_MISMATCH', `the secret ${at} does not decrypt with master key ${key.id}: GCM authentication failed`, {
      hint: 'the key is not the one that sealed it, or the stored ciphertext was damaged or moved; restore the right master key or the state from a backup',
      details: { app: where.app, env: where.env, name: where.name, keyInUse: key.id },
    });
  }
}
