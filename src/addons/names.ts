/**
 * Names of an add-on's objects on its server, derived from (app, environment, add-on).
 * Pure, so the same add-on always gets the same database, role and key prefix: a retry,
 * a re-attach after a detach and a daemon restart all find what was made before.
 */
import { createHash } from 'node:crypto';

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes (docs §4.1.1). */
const PG_IDENTIFIER_MAX = 63;
const HASH_CHARS = 8;

export interface AddonAddress {
  app: string;
  env: string;
  name: string;
}

/**
 * `wharf_<app>_<env>_<addon>_<hash>`: readable in `\l`, and unique because the hash covers
 * the exact triple ("a-b"/"c" and "a"/"b-c" sanitize alike but hash apart). Long names are
 * cut before the hash, never after it. Database and role share the name.
 */
export function postgresName(a: AddonAddress): string {
  const hash = tripleHash(a);
  const readable = `wharf_${a.app}_${a.env}_${a.name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${readable.slice(0, PG_IDENTIFIER_MAX - HASH_CHARS - 1)}_${hash}`;
}

/** The ACL user of a Redis add-on: the same readable-plus-hash name. */
export function redisUser(a: AddonAddress): string {
  return postgresName(a);
}

/**
 * The key prefix a Redis add-on's user is confined to. It ends with ":" so that no prefix
 * is the start of another ("shop:prod:" vs "shop:production:").
 */
export function redisPrefix(a: AddonAddress): string {
  return `${a.app}:${a.env}:${a.name}:`;
}

/** Scratch names for a verification or a restore; `purpose` keeps concurrent ones apart. */
export function scratchDatabase(base: string, purpose: 'verify' | 'restore' | 'before', id: string): string {
  return `${base.slice(0, PG_IDENTIFIER_MAX - 9 - HASH_CHARS)}_${purpose.slice(0, 3)}_${id.slice(0, HASH_CHARS)}`.slice(0, PG_IDENTIFIER_MAX);
}

export function addressLabel(a: AddonAddress): string {
  return `${a.app}/${a.env}/${a.name}`;
}

function tripleHash(a: AddonAddress): string {
  return createHash('sha256').update(JSON.stringify([a.app, a.env, a.name])).digest('hex').slice(0, HASH_CHARS);
}
