/**
 * One add-on type's operations on its server, behind one interface so the manager never
 * branches on the type. Engines act; the manager decides and records.
 */
import type { AddonRecord, AddonType } from '../state/types.js';
import type { AdminEndpoint } from './endpoint.js';
import type { AddonAddress } from './names.js';

export type Connection = AddonRecord['connection'];
/** Where the add-on lives: a connection without its password. */
export type Location = Omit<Connection, 'sealedPassword'>;
/** A connection with the password opened, only ever held in memory. */
export type OpenConnection = Location & { password: string };

export interface AddonEngine {
  readonly type: AddonType;
  /** Where the add-on lives on `server`: host, port, user and database or key prefix. */
  locate(a: AddonAddress, server: AdminEndpoint): Location;
  /** The server's version, e.g. "15.18" or "7.0.15". */
  version(admin: AdminEndpoint): Promise<string>;
  /** Makes the add-on's objects, or brings them back to exactly this; safe to repeat. */
  provision(admin: AdminEndpoint, conn: OpenConnection, afterStep?: (step: string) => Promise<void>): Promise<void>;
  /** No more logins; the data stays. */
  detach(admin: AdminEndpoint, conn: Location): Promise<void>;
  /** Deletes the data and the login. */
  purge(admin: AdminEndpoint, conn: Location): Promise<void>;
  /** The variables the app gets: the URL first, under `url`, then anything else it needs. */
  vars(conn: OpenConnection): { url: string; extra: Record<string, string> };
  /** Writes a backup to `file`; resolves the counts at its snapshot. */
  dump(admin: AdminEndpoint, conn: OpenConnection, attached: boolean, file: string): Promise<Record<string, number>>;
  /** Restores `file` into scratch, counts, and removes the scratch copy. */
  scratchCounts(admin: AdminEndpoint, conn: Location, file: string, id: string): Promise<Record<string, number>>;
  /**
   * Replaces the add-on's data with `file`, once a restored copy has shown `expected`
   * counts; resolves where the replaced data was kept, if anywhere.
   */
  restore(admin: AdminEndpoint, conn: OpenConnection, file: string, id: string, expected: Record<string, number>): Promise<{ kept?: string }>;
}
