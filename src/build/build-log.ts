/**
 * A build's output, line by line: written to the build's log file, streamed to whoever
 * watches the build, and the last lines kept for the error a failed build raises.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** `wharf` lines are Wharf's own notes about the build (a skipped symlink, the command run). */
export type OutputStream = 'stdout' | 'stderr' | 'wharf';

export interface OutputLine {
  stream: OutputStream;
  text: string;
}

/** A line longer than this is cut into pieces, so an output without newlines cannot grow without bound. */
const MAX_LINE_CHARS = 64 * 1024;

export class BuildLog {
  private readonly file: WriteStream;
  private readonly lastLines: string[] = [];
  private readonly failed: Promise<Error>;

  constructor(
    path: string,
    private readonly tailSize: number,
    private onOutput: ((line: OutputLine) => void) | undefined,
  ) {
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o644 });
    this.failed = new Promise((resolve) => this.file.once('error', resolve));
  }

  write(stream: OutputStream, text: string): void {
    const line = stream === 'wharf' ? `wharf: ${text}` : text;
    this.file.write(`${line}\n`);
    this.lastLines.push(line);
    if (this.lastLines.length > this.tailSize) this.lastLines.shift();
    if (this.onOutput === undefined) return;
    try {
      this.onOutput({ stream, text });
    } catch (error) {
      // A watcher that fails (a closed client connection, a bug) must not fail the build
      // or crash the daemon from inside a stream callback; the log keeps everything.
      this.onOutput = undefined;
      this.write('wharf', `stopped streaming output: ${(error as Error).message}`);
    }
  }

  /** A function that splits a byte stream into lines and writes each one. */
  lineWriter(stream: OutputStream): { push(chunk: Buffer): void; flush(): void } {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const emit = (): void => {
      for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
        this.write(stream, pending.slice(0, newline).replace(/\r$/, ''));
        pending = pending.slice(newline + 1);
      }
      while (pending.length > MAX_LINE_CHARS) {
        this.write(stream, pending.slice(0, MAX_LINE_CHARS));
        pending = pending.slice(MAX_LINE_CHARS);
      }
    };
    return {
      push: (chunk) => {
        pending += decoder.write(chunk);
        emit();
      },
      flush: () => {
        pending += decoder.end();
        emit();
        if (pending !== '') this.write(stream, pending);
        pending = '';
      },
    };
  }

  tail(): string[] {
    return [...this.lastLines];
  }

  /** Ends the file; rejects if it could not be written (a full disk is a failed build, not a silent one). */
  async close(): Promise<void> {
    const finished = new Promise<void>((resolve) => this.file.end(resolve));
    const outcome = await Promise.race([finished.then(() => undefined), this.failed]);
    if (outcome instanceof Error) throw outcome;
  }
}
