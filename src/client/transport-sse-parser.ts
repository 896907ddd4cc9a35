/**
 * The client side of server-sent events: the event-stream parser of WHATWG HTML §9.2.6
 * ("Interpreting an event stream"), fed with raw chunks as they arrive. Chunks may split a
 * line, a UTF-8 sequence or a CRLF pair anywhere.
 */

export interface ServerSentEvent {
  /** The `event:` field; `message` when the server gave none. */
  type: string;
  data: string;
  /** The last id seen on the stream, this event's or an earlier one's (§9.2.6). */
  lastEventId: string;
}

export class SseParser {
  /** The last event id string: sent back as Last-Event-ID on reconnect. */
  lastEventId: string;
  /** The reconnection time the server asked for with `retry:`, in ms. */
  retryMs: number | undefined;

  private readonly decoder = new TextDecoder('utf-8'); // strips a leading BOM, as §9.2.6 asks
  private pending = '';
  private afterCR = false;
  private idBuffer: string;
  private data = '';
  private type = '';

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
    this.idBuffer = lastEventId;
  }

  push(chunk: Uint8Array): ServerSentEvent[] {
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.afterCR && text.length > 0) {
      // A CRLF split across chunks is one line break, not two.
      if (text.startsWith('\n')) text = text.slice(1);
      this.afterCR = false;
    }
    const events: ServerSentEvent[] = [];
    const buffer = this.pending + text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      const line = buffer.slice(start, i);
      if (c === 0x0d) {
        if (i + 1 === buffer.length) this.afterCR = true;
        else if (buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    this.pending = buffer.slice(start);
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined; // a comment: heartbeats
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (name) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data += `${value}\n`;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default: // unknown fields are ignored
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    this.lastEventId = this.idBuffer;
    const { data, type } = this;
    this.data = '';
    this.type = '';
    if (data === '') return undefined;
    return { type: type === '' ? 'message' : type, data: data.slice(0, -1), lastEventId: this.lastEventId };
  }
}
