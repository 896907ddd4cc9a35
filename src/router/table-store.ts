/**
 * The table on disk, so a restarted router serves at once without the daemon. Written
 * crash-safely: temp file, fsync, rename over the old one, fsync the directory (the rename
 * is only durable once the directory entry is; see ext4's data=ordered caveats).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { WharfError } from '../errors.js';
import { emptyTable, validateTable, type Table } from './table.js';

export class TableStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'route-table.json');
  }

  /**
   * Asynchronous on purpose: an fsync can take tens of milliseconds on a busy disk, and a
   * synchronous one would stall every request the router is serving while a deploy pushes
   * its tables. (Callers serialise saves: router.ts queues pushes.)
   */
  async save(table: Table): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const file = await fsp.open(tmp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(table));
      await file.sync();
    } finally {
      await file.close();
    }
    await fsp.rename(tmp, this.file);
    const dir = await fsp.open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** The persisted table, or an empty one when none was ever saved. A corrupt file is an error, not silence. */
  load(): Table {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyTable();
      throw e;
    }
    try {
      return validateTable(JSON.parse(text));
    } catch (e) {
      throw new WharfError('STATE_CORRUPT', `${this.file} does not hold a valid route table`, {
        cause: e,
        hint: 'push a table from the daemon, or remove the file to start empty',
      });
    }
  }
}
