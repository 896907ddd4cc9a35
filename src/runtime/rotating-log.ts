/**
 * A size-bounded log: `output.log` plus at most `maxFiles - 1` older generations, so an app
 * that writes gigabytes costs at most maxBytes × maxFiles of disk (plus one write's worth).
 * Rotation renames (`.1` → `.2`, current → `.1`), the scheme of logrotate and Docker's
 * json-file driver, so a reader holding the old file open keeps reading it.
 */
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { logPath } from './log-line.js';

export interface RotationOptions {
  /** @default DEFAULT_LOG_FILE_BYTES */
  maxBytes: number;
  /** Files kept, the current one included. @default DEFAULT_LOG_FILES */
  maxFiles: number;
}

export class RotatingLog {
  private fd: number | undefined;
  private size = 0;

  constructor(
    private readonly dir: string,
    private readonly options: RotationOptions,
  ) {}

  /**
   * Appends whole lines, rotating between lines so that no file grows past maxBytes (unless
   * one line alone is longer). Throws the write error (ENOSPC, EIO, …); the caller reports it.
   */
  write(data: Buffer): void {
    let rest = data;
    for (;;) {
      this.open();
      const room = this.options.maxBytes - this.size;
      if (rest.length <= room) break;
      // The longest prefix of whole lines that fits; if none, the first line alone, in a fresh file.
      let cut = rest.subarray(0, Math.max(0, room)).lastIndexOf(10) + 1;
      if (cut === 0 && this.size === 0) cut = rest.indexOf(10) + 1 || rest.length;
      if (cut > 0) this.append(rest.subarray(0, cut));
      rest = rest.subarray(cut);
      if (rest.length === 0) return;
      this.rotate();
    }
    this.append(rest);
  }

  private append(data: Buffer): void {
    const fd = this.open();
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    this.size += written;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number {
    if (this.fd === undefined) {
      this.fd = openSync(logPath(this.dir), 'a', 0o640);
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    this.close();
    const last = Math.max(1, this.options.maxFiles) - 1;
    if (last === 0) {
      rmSync(logPath(this.dir), { force: true });
      return;
    }
    rmSync(logPath(this.dir, last), { force: true });
    for (let g = last - 1; g >= 0; g--) {
      try {
        renameSync(logPath(this.dir, g), logPath(this.dir, g + 1));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  }
}
