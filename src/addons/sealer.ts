/**
 * Sealing of add-on passwords at rest: AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit
 * nonce per value and the record's address as additional data, so a sealed password copied
 * onto another add-on's record fails to open instead of leaking into the wrong app.
 *
 * The key is a 0600 file in the data dir, created on first use. The config branch brings
 * Wharf's keyring (key ids, rotation, WHARF_MASTER_KEY); it implements the same Sealer
 * interface and replaces this one when the branches merge.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { WharfError } from '../errors.js';

export interface Sealer {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

const VERSION = 'a1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

export class AesGcmSealer implements Sealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new WharfError('INTERNAL', `an AES-256 key is ${KEY_BYTES} bytes, got ${key.length}`);
  }

  /** The key in `file`, written (0600, exclusively, so two daemons never make two) when absent. */
  static fromKeyFile(file: string): AesGcmSealer {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, randomBytes(KEY_BYTES).toString('base64') + '\n');
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES) {
      throw new WharfError('STATE_CORRUPT', `the add-on key file ${file} does not hold a ${KEY_BYTES}-byte key`, {
        hint: 'Restore the file from a backup of the data dir; without it the add-on passwords cannot be read.',
      });
    }
    return new AesGcmSealer(key);
  }

  seal(plain: string, context: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string, context: string): string {
    const [version, nonce, tag, body] = sealed.split(':');
    if (version !== VERSION || nonce === undefined || tag === undefined || body === undefined) {
      throw new WharfError('STATE_CORRUPT', `a sealed value of ${context} is not in the "${VERSION}:nonce:tag:body" form`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch (e) {
      throw new WharfError('STATE_CORRUPT', `the sealed password of ${context} does not open with this data dir's key`, {
        hint: 'The key file was replaced or the record was altered; restore the data dir\'s key file.',
        cause: e,
      });
    }
  }
}
