import type { ServerResponse } from 'node:http';
import { WharfError } from '../../errors.js';

/**
 * A streamed answer of JSON lines (progress, output), ending with a result or an error
 * line. The head is written with the first line, so a refusal before anything happened is
 * an ordinary error answer with its status code.
 */
export async function streamLines<T>(res: ServerResponse, work: (line: (value: unknown) => void) => Promise<T>, last: (result: T) => unknown): Promise<void> {
  const line = (value: unknown) => {
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.write(`${JSON.stringify(value)}\n`);
  };
  try {
    line(last(await work(line)));
  } catch (e) {
    if (!res.headersSent) throw e;
    line({ error: e instanceof WharfError ? e.toJSON() : { code: 'INTERNAL', message: (e as Error).message } });
  }
  res.end();
}
