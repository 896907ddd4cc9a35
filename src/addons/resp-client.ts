/**
 * A small Redis client speaking RESP2 (https://redis.io/docs/reference/protocol-spec/):
 * enough for Wharf's own administration (ACL, SCAN, DUMP/RESTORE, MULTI), one command in
 * flight at a time. Apps bring their own client; this one only has to be correct.
 */
import { connect, type Socket } from 'node:net';
import { WharfError } from '../errors.js';

export type Reply = string | number | null | Buffer | Reply[] | RedisReplyError;

/** An error reply (`-ERR …`, `-NOPERM …`): the server answered, the command was refused. */
export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
  }
}

export interface RespOptions {
  host: string;
  port: number;
  user?: string | undefined;
  password?: string | undefined;
  /** @default 5000 */
  connectTimeoutMs?: number;
}

export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('the Redis connection closed')));
  }

  static async connect(options: RespOptions): Promise<RespClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: options.host, port: options.port });
      s.setTimeout(options.connectTimeoutMs ?? 5_000, () => s.destroy(new Error(`connecting to Redis at ${options.host}:${options.port} timed out`)));
      s.once('connect', () => {
        s.setTimeout(0);
        resolve(s);
      });
      s.once('error', reject);
    });
    const client = new RespClient(socket);
    if (options.password !== undefined) {
      const auth = options.user === undefined ? ['AUTH', options.password] : ['AUTH', options.user, options.password];
      await client.call(...auth).catch((e: unknown) => {
        client.close();
        throw e;
      });
    }
    return client;
  }

  /** Sends one command; resolves its reply, rejects with RedisReplyError on an error reply. */
  async call(...args: (string | Buffer | number)[]): Promise<Reply> {
    const reply = await this.send(args);
    if (reply instanceof RedisReplyError) throw reply;
    return reply;
  }

  /** Sends one command and resolves whatever came back, error replies included (inside MULTI). */
  send(args: (string | Buffer | number)[]): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(Buffer.concat(parts));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(this.buffer, 0);
      } catch (e) {
        this.fail(e as Error);
        return void this.socket.destroy();
      }
      if (parsed === undefined) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const waiter = this.waiting.shift();
      if (!waiter) return this.fail(new WharfError('INTERNAL', 'Redis sent a reply nobody asked for'));
      waiter.resolve(parsed.reply);
    }
  }
}

/** One reply starting at `at`, or undefined when the buffer does not hold all of it yet. */
export function parseReply(buf: Buffer, at: number): { reply: Reply; end: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const line = buf.toString('utf8', at + 1, eol);
  switch (String.fromCharCode(buf[at]!)) {
    case '+':
      return { reply: line, end: eol + 2 };
    case '-':
      return { reply: new RedisReplyError(line), end: eol + 2 };
    case ':':
      return { reply: Number(line), end: eol + 2 };
    case '$': {
      const n = Number(line);
      if (n < 0) return { reply: null, end: eol + 2 };
      if (buf.length < eol + 2 + n + 2) return undefined;
      return { reply: Buffer.from(buf.subarray(eol + 2, eol + 2 + n)), end: eol + 2 + n + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { reply: null, end: eol + 2 };
      const items: Reply[] = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, end);
        if (item === undefined) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new WharfError('INTERNAL', `Redis sent a reply of unknown type "${String.fromCharCode(buf[at]!)}"`);
  }
}

/** A bulk or simple string reply as text. */
export function text(reply: Reply): string {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (typeof reply === 'string') return reply;
  throw new WharfError('INTERNAL', `expected a string reply from Redis, got ${JSON.stringify(reply)}`);
}
