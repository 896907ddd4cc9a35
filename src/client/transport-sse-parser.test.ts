import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatSseEvent } from '../daemon/http/sse.js';
import { type ServerSentEvent, SseParser } from './transport-sse-parser.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const parseAll = (text: string, parser = new SseParser()): ServerSentEvent[] => parser.push(bytes(text));
const msg = (data: string, lastEventId = '', type = 'message'): ServerSentEvent => ({ type, data, lastEventId });

describe('SseParser', () => {
  // The examples of WHATWG HTML §9.2.6, with the events the spec says they fire.
  it('joins data lines with LF (the spec’s stock-ticker example)', () => {
    assert.deepEqual(parseAll('data: YHOO\ndata: +2\ndata: 10\n\n'), [msg('YHOO\n+2\n10')]);
  });

  it('ignores comments, keeps the last id across events, resets it on an empty id, drops an unterminated event', () => {
    const text = ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n';
    assert.deepEqual(parseAll(text), [msg('first event', '1'), msg('second event', '')]);
  });

  it('fires an empty event for a bare data field and a newline for two', () => {
    assert.deepEqual(parseAll('data\n\ndata\ndata\n\ndata:'), [msg(''), msg('\n')]);
  });

  it('removes only one space after the colon', () => {
    assert.deepEqual(parseAll('data:test\n\ndata: test\n\ndata:  test\n\n'), [msg('test'), msg('test'), msg(' test')]);
  });

  it('honours event types, CR and CRLF line ends, a leading BOM and retry', () => {
    const parser = new SseParser();
    const events = parseAll('\uFEFFevent: deploy\r\ndata: a\r\rretry: 250\nretry: soon\n', parser);
    assert.deepEqual(events, [msg('a', '', 'deploy')]);
    assert.equal(parser.retryMs, 250);
  });

  it('ignores an id that contains NUL and fields it does not know', () => {
    assert.deepEqual(parseAll('id: 5\n\nid: 6\0\nfoo: bar\ndata: x\n\n'), [msg('x', '5')]);
  });

  it('sends no event for a block without data but still takes its id', () => {
    const parser = new SseParser('3');
    assert.deepEqual(parseAll('id: 9\n\n', parser), []);
    assert.equal(parser.lastEventId, '9');
  });

  it('reads the same events however the bytes are split, CRLF pairs and UTF-8 sequences included', () => {
    const event = fc.record({
      id: fc.option(fc.nat().map(String), { nil: undefined }),
      event: fc.option(fc.constantFrom('deploy', 'instance.unhealthy', 'scaled', 'x'), { nil: undefined }),
      // The characters that matter to the framing and the decoder: separators, 2-, 3- and 4-byte UTF-8.
      data: fc.string({ unit: fc.constantFrom('a', ' ', ':', '\n', 'é', '€', '😀', '\0', '\uFEFF'), maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (events, cuts, crlf) => {
        let text = events.map(formatSseEvent).join('');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const wire = bytes(text);
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const parser = new SseParser();
        const got: ServerSentEvent[] = [];
        let from = 0;
        for (const p of [...points, wire.length]) {
          got.push(...parser.push(wire.subarray(from, p)));
          from = p;
        }
        let lastEventId = '';
        const want = events.map((e) => {
          if (e.id !== undefined) lastEventId = e.id;
          return msg(e.data, lastEventId, e.event ?? 'message');
        });
        assert.deepEqual(got, want);
      }),
      { numRuns: 300 },
    );
  });
});
