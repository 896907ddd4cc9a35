import { existsSync, renameSync, rmSync } from 'node:fs';
import type { Actor } from '../apply/applier.js';
import { WharfError } from '../errors.js';
import type { Store } from '../state/store.js';
import type { SealedEntryRef, SealedValue } from '../state/types.js';
import { seal, unseal, type ValueAddress } from './cipher.js';
import { secretDigest } from './digest.js';
import { masterKeyFile, newMasterKey, nextKeyFile, readKeyFile, readMasterKey, writeKeyFile, type LoadedKey } from './master-key.js';

const addressOf = (s: SealedEntryRef): ValueAddress => ({ app: s.app, env: s.env, name: s.name });

/**
 * The master key in use, checked against every recorded secret before the daemon serves
 * anything. Seals, opens and digests config values; rotates the key.
 *
 * Rotation: the new key is written to `master.key.next`, every value is re-encrypted in
 * one store transaction, then the new key is renamed over `master.key`. A crash between
 * the commit and the rename is finished at the next start (the recorded key ids say which
 * key is real); a crash before the commit leaves the old key and the old ciphertexts.
 */
export class Keyring {
  private constructor(
    private loaded: LoadedKey,
    private readonly dataDir: string,
  ) {}

  /**
   * The daemon's keyring. Creates the key file only when there is no key and no secret
   * recorded; otherwise refuses (MASTER_KEY_MISSING, MASTER_KEY_MISMATCH, MASTER_KEY_INVALID)
   * and says why, writing nothing.
   */
  static async open(store: Store, dataDir: string, env: NodeJS.ProcessEnv): Promise<Keyring> {
    const sealed = await store.listSealedValues();
    let loaded = readMasterKey(dataDir, env);
    if (loaded?.source.kind === 'file') loaded = finishRotation(dataDir, loaded, sealed);
    if (!loaded) {
      if (sealed.length > 0) {
        const ids = [...new Set(sealed.map((s) => s.sealed.keyId))].join(', ');
        throw new WharfError('MASTER_KEY_MISSING', `the state holds ${sealed.length} secret value${sealed.length === 1 ? '' : 's'} sealed with master key ${ids}, and there is no master key: no ${masterKeyFile(dataDir)} and no $WHARF_MASTER_KEY`, {
          hint: 'restore master.key from the backup of this data dir, or set WHARF_MASTER_KEY to that key; Wharf will not make a new key, which could not open them',
        });
      }
      const key = newMasterKey();
      writeKeyFile(masterKeyFile(dataDir), key);
      loaded = { key, source: { kind: 'file', file: masterKeyFile(dataDir) } };
    }
    const keyring = new Keyring(loaded, dataDir);
    keyring.check(sealed);
    return keyring;
  }

  get keyId(): string {
    return this.loaded.key.id;
  }

  seal(where: ValueAddress, value: string): SealedValue {
    return seal(this.loaded.key, where, value);
  }

  unseal(where: ValueAddress, sealed: SealedValue): string {
    return unseal(this.loaded.key, where, sealed);
  }

  digest(value: string): string {
    return secretDigest(this.loaded.key, value);
  }

  /** Re-encrypts every recorded secret under a new key, in one transaction; the caller serialises config changes with it. */
  async rotate(store: Store, by: Actor, now: () => number): Promise<{ from: string; to: string; values: number }> {
    const { source, key: old } = this.loaded;
    if (source.kind !== 'file') {
      throw new WharfError('USAGE', `the master key comes from $${source.variable}, which Wharf cannot rewrite`, {
        hint: 'unset it and put the key in the data dir\'s master.key (0600) to let Wharf rotate it',
      });
    }
    const next = newMasterKey();
    const nextFile = nextKeyFile(this.dataDir);
    writeKeyFile(nextFile, next);
    let values: number;
    try {
      const sealed = await store.listSealedValues();
      const resealed = sealed.map((s) => ({ ...s, sealed: seal(next, addressOf(s), this.unseal(addressOf(s), s.sealed)) }));
      values = resealed.length;
      await store.resealValues(next.id, resealed, {
        audit: [{ time: now(), actor: by.actor, client: by.client, operation: 'secrets.rotate-key', outcome: 'ok', details: { from: old.id, to: next.id, values } }],
      });
    } catch (e) {
      rmSync(nextFile, { force: true });
      throw e;
    }
    renameSync(nextFile, source.file);
    this.loaded = { key: next, source };
    return { from: old.id, to: next.id, values };
  }

  private check(sealed: SealedEntryRef[]): void {
    const foreign = sealed.filter((s) => s.sealed.keyId !== this.keyId);
    if (foreign.length > 0) {
      const where = this.loaded.source.kind === 'file' ? this.loaded.source.file : `$${this.loaded.source.variable}`;
      const ids = [...new Set(foreign.map((s) => s.sealed.keyId))].join(', ');
      throw new WharfError('MASTER_KEY_MISMATCH', `${foreign.length} secret value${foreign.length === 1 ? ' is' : 's are'} sealed with master key ${ids}, but the master key from ${where} is ${this.keyId}`, {
        hint: 'start Wharf with the key that sealed them (restore master.key from the backup of this data dir, or fix WHARF_MASTER_KEY); nothing was changed',
        details: { sealedWith: ids, keyInUse: this.keyId },
      });
    }
    // Opening each proves the key, not only its id: GCM refuses a wrong key or a damaged value.
    for (const s of sealed) this.unseal(addressOf(s), s.sealed);
  }
}

/** Completes (or drops) a rotation a crash cut off: the recorded key ids say which key is real. */
function finishRotation(dataDir: string, loaded: LoadedKey, sealed: SealedEntryRef[]): LoadedKey {
  const nextFile = nextKeyFile(dataDir);
  if (!existsSync(nextFile) || loaded.source.kind !== 'file') return loaded;
  const next = readKeyFile(nextFile);
  if (sealed.some((s) => s.sealed.keyId === next.id)) {
    renameSync(nextFile, loaded.source.file);
    return { key: next, source: loaded.source };
  }
  rmSync(nextFile, { force: true });
  return loaded;
}
