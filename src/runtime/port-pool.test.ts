import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import fc from 'fast-check';
import { canBind, pickPort, PortPool } from './port-pool.js';

describe('port pool', () => {
  it('picks a port in range that is not taken, whenever one is left', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.uniqueArray(fc.nat(60)), fc.nat(80), (size, takenOffsets, fromOffset) => {
        const range = { first: 1000, last: 1000 + size - 1 };
        const taken = new Set(takenOffsets.map((o) => 1000 + o));
        const port = pickPort(taken, range, 1000 + fromOffset);
        const free = Array.from({ length: size }, (_, i) => 1000 + i).filter((p) => !taken.has(p));
        if (free.length === 0) return port === undefined;
        return port !== undefined && port >= range.first && port <= range.last && !taken.has(port);
      }),
    );
  });

  it('goes round the range instead of handing a just-released port straight back', async () => {
    const pool = new PortPool({ first: 5000, last: 5002 }, async () => true);
    assert.equal(await pool.allocate('a'), 5000);
    pool.release('a');
    assert.equal(await pool.allocate('b'), 5001);
    assert.equal(await pool.allocate('b'), 5001);
    assert.equal(await pool.allocate('c'), 5002);
    assert.equal(await pool.allocate('d'), 5000);
    await assert.rejects(pool.allocate('e'), { code: 'CONFLICT' });
  });

  it('skips a port that something outside Wharf holds', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, r));
    const held = (squatter.address() as { port: number }).port;
    try {
      assert.equal(await canBind(held), false);
      const pool = new PortPool({ first: held, last: held + 50 });
      const port = await pool.allocate('web.1');
      assert.notEqual(port, held);
    } finally {
      squatter.close();
    }
  });

  it('keeps the port of a re-adopted instance reserved', async () => {
    const from = new PortPool({ first: 7000, last: 7009 }, async () => true, 7008);
    assert.deepEqual([await from.allocate('x'), await from.allocate('y'), await from.allocate('z')], [7008, 7009, 7000], 'starts where told and wraps round');
    const pool = new PortPool({ first: 6000, last: 6001 }, async () => true);
    pool.reserve('old', 6000);
    assert.equal(await pool.allocate('new'), 6001);
    assert.equal(pool.portOf('old'), 6000);
  });
});
