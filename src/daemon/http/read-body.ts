import type { IncomingMessage } from 'node:http';
import { WharfError } from '../../errors.js';

/**
 * Reads a JSON request body of at most `limit` bytes. A declared Content-Length over the
 * limit is refused before a byte of the body is read; a chunked body is refused as soon
 * as it passes the limit, and reading stops there (the dispatcher then closes the
 * connection rather than drain the rest, RFC 9110 §15.5.14).
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || declared === '0')) return undefined;
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);

  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new WharfError('BAD_REQUEST', `expected a JSON body (Content-Type: application/json), got "${type}"`);
  }

  const raw = await readAtMost(req, limit);
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new WharfError('BAD_REQUEST', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function readAtMost(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new WharfError('BAD_REQUEST', `reading the request body failed: ${e.message}`, { cause: e }));
    };
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(new WharfError('BAD_REQUEST', 'the client closed the connection before the body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(limit: number): WharfError {
  return new WharfError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`, {
    details: { limitBytes: limit },
  });
}
