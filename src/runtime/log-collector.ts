/**
 * Moves an instance's raw output into its timestamped, rotated log.
 *
 * Why this shape: the app writes its stdout and stderr straight into `output.raw`, opened
 * O_APPEND by the driver and inherited as fds 1 and 2. No pipe has the daemon as its only
 * reader, so a daemon that is down (or killed -9) can never block the app on a full pipe
 * or kill it with SIGPIPE, and no shim process per instance costs memory. The collector
 * reads what is new, stamps each line with the time it read it, appends to the rotated
 * log, records how far it got in `output.raw.offset` (so the next collector — after a
 * daemon restart — resumes exactly there), and trims the raw file once it has consumed a
 * megabyte of it and all of it.
 *
 * Remaining races, stated honestly:
 * - Trimming is "fstat, size == consumed? ftruncate(0)". Bytes the app appends between that
 *   fstat and the ftruncate (a window of two syscalls, once per megabyte of output) are
 *   lost. Linux could close the window with fallocate(FALLOC_FL_COLLAPSE_RANGE), which Node
 *   does not expose.
 * - Lines are stamped when read (every poll, 200 ms by default), not when written; output
 *   written while the daemon was down is stamped when the next daemon catches up.
 * - A daemon killed between appending a batch and recording the offset re-reads that
 *   batch: at most one poll's worth of lines appears twice. An unterminated last line is
 *   recorded as unread, so the next collector reads it again, whole.
 * - A full disk (or any write error) drops the batch and is reported through `onError`,
 *   once per distinct error until a write succeeds again; the app and the daemon go on.
 * - Rotation bounds the disk only while a daemon collects: with no daemon, the raw file
 *   grows with whatever the app writes. When a daemon comes back, a backlog larger than the
 *   log keeps is skipped (and said so), and the raw file is trimmed at once.
 * - The app's own writes to a full disk fail in the app (ENOSPC on fd 1/2), as they would
 *   with any file-backed stdout.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { formatLine, offsetPath, rawPath } from './log-line.js';
import { RotatingLog, type RotationOptions } from './rotating-log.js';

/** Longest line kept whole; a longer one is split so a newline-less stream cannot grow memory. */
export const MAX_LINE_BYTES = 16 * 1024;
/** Read at most this much per poll, so one chatty app cannot stall the daemon's event loop. */
const READ_CHUNK_BYTES = 1024 * 1024;
/**
 * One read buffer for every collector: polls are synchronous and keep nothing of it (the
 * unterminated tail is copied), so 40 instances cost 1 MiB, not 40.
 */
let sharedBuffer: Buffer | undefined;

/** Consumed raw output is trimmed once it reaches this size. */
export const TRIM_AFTER_BYTES = 1024 * 1024;

export interface CollectorOptions extends RotationOptions {
  /** @default TRIM_AFTER_BYTES */
  trimAfterBytes?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export class LogCollector {
  private readonly log: RotatingLog;
  private fd: number | undefined;
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);
  private lastErrorCode: string | undefined;
  /** The offset last written to the offset file. */
  private committed = -1;
  /** Lines dropped because the rotated log could not be written. */
  dropped = 0;

  constructor(
    private readonly dir: string,
    private readonly options: CollectorOptions,
  ) {
    this.log = new RotatingLog(dir, options);
  }

  /** Consumes what the app wrote since the last poll; returns the number of bytes read. */
  poll(): number {
    const fd = this.openRaw();
    if (fd === undefined) return 0;
    let total = 0;
    for (;;) {
      const size = fstatSync(fd).size;
      if (size < this.offset) {
        // trimmed by someone else: start over
        this.offset = 0;
        this.pending = Buffer.alloc(0);
      }
      if (size === this.offset) {
        if (this.offset >= (this.options.trimAfterBytes ?? TRIM_AFTER_BYTES) && this.pending.length === 0) {
          ftruncateSync(fd, 0);
          this.offset = 0;
        }
        this.commit();
        return total;
      }
      this.skipBacklogBeyondKept(size);
      sharedBuffer ??= Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const n = readSync(fd, sharedBuffer, 0, Math.min(READ_CHUNK_BYTES, size - this.offset), this.offset);
      if (n === 0) return total;
      this.offset += n;
      total += n;
      this.consume(sharedBuffer.subarray(0, n));
      if (total >= READ_CHUNK_BYTES) {
        this.commit();
        return total; // the rest next poll
      }
    }
  }

  /** Records where the next collector starts: before an unterminated line, so it is read whole. */
  private commit(): void {
    const at = this.offset - this.pending.length;
    if (at === this.committed) return;
    try {
      writeFileSync(offsetPath(this.dir), String(at));
      this.committed = at;
    } catch {
      // a full disk: the next collector may show a few lines twice, never lose them
    }
  }

  /**
   * An app that writes faster than we collect (or wrote while no daemon ran) may leave more
   * unread output than the rotated log keeps at all. Reading it would only rotate it away, so
   * skip to the newest `maxBytes × maxFiles` and say so in the log: the disk stays bounded.
   */
  private skipBacklogBeyondKept(size: number): void {
    const kept = this.options.maxBytes * this.options.maxFiles;
    if (size - this.offset <= kept) return;
    const skipped = size - kept - this.offset;
    this.offset = size - kept;
    this.pending = Buffer.alloc(0);
    this.emit([Buffer.from(`[wharf] skipped ${skipped} bytes of output: the app writes faster than its log is kept`)]);
  }

  /** Emits an unterminated last line (the process has exited: no more of it will come). */
  flush(): void {
    this.poll();
    if (this.pending.length > 0) this.emit([this.pending]);
    this.pending = Buffer.alloc(0);
    this.commit();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.log.close();
  }

  private openRaw(): number | undefined {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(rawPath(this.dir), 'r+');
      } catch {
        return undefined;
      }
      this.offset = this.recordedOffset(fstatSync(this.fd).size);
      this.committed = this.offset;
    }
    return this.fd;
  }

  /** Where a previous collector stopped; 0 if unknown or past the end (the file was trimmed). */
  private recordedOffset(size: number): number {
    try {
      const n = Number(readFileSync(offsetPath(this.dir), 'utf8'));
      return Number.isSafeInteger(n) && n >= 0 && n <= size ? n : 0;
    } catch {
      return 0;
    }
  }

  private consume(chunk: Buffer): void {
    const lines: Buffer[] = [];
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      lines.push(data.subarray(start, nl));
      start = nl + 1;
    }
    data = data.subarray(start);
    while (data.length > MAX_LINE_BYTES) {
      lines.push(data.subarray(0, MAX_LINE_BYTES));
      data = data.subarray(MAX_LINE_BYTES);
    }
    this.pending = Buffer.from(data); // copy: `chunk` is the reused read buffer
    if (lines.length > 0) this.emit(lines);
  }

  private emit(lines: Buffer[]): void {
    const now = (this.options.now ?? Date.now)();
    const text = lines.map((l) => formatLine(now, stripCarriageReturn(l.toString('utf8')))).join('');
    try {
      this.log.write(Buffer.from(text, 'utf8'));
      this.lastErrorCode = undefined;
    } catch (e) {
      this.dropped += lines.length;
      this.log.close(); // reopen next time: the disk may have room again, or the file was replaced
      const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
      if (code !== this.lastErrorCode) {
        this.lastErrorCode = code;
        this.options.onError?.(e);
      }
    }
  }
}

function stripCarriageReturn(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** Collects what an instance that is gone wrote while no daemon ran: logs are never lost. */
export function collectRemaining(dir: string, rotation: RotationOptions): void {
  const c = new LogCollector(dir, rotation);
  try {
    c.flush();
  } catch {
    // no log directory: nothing to collect
  } finally {
    c.close();
  }
}
