// Production's data, put in and read back through the add-ons' revealed URLs: a Postgres
// table of a few thousand rows and a few hundred Redis keys under the add-on's prefix.
import path from 'node:path';
import pg from 'pg';

/** The add-on's variables (URL, KEY_PREFIX …), revealed: `wharf addons info NAME --reveal --json`. */
export async function reveal(wharf, appDir, env, addon) {
  return JSON.parse(await wharf.cli(['addons', 'info', addon, '--reveal', '--json', '-C', appDir, '-e', env])).vars;
}

async function withPg(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The RESP client Wharf itself uses, from the build under test. */
async function withRedis(dist, vars, fn) {
  const { RespClient } = await import(path.join(dist, 'addons/resp-client.js'));
  const u = new URL(vars.URL);
  const client = await RespClient.connect({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export async function seedPostgres(url, rows) {
  await withPg(url, (c) =>
    c.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10, 2) NOT NULL);
             INSERT INTO items SELECT i, 'item ' || i, (i % 997) / 10.0 FROM generate_series(1, ${Number(rows)}) AS i`),
  );
}

/** Rows of `items` and their checksum, so a copy is compared by content, not only by count. */
export async function readPostgres(url) {
  return withPg(url, async (c) => {
    const { rows } = await c.query("SELECT count(*)::int AS n, md5(string_agg(id || ':' || name || ':' || price, ',' ORDER BY id)) AS sum FROM items");
    return rows[0];
  });
}

export async function seedRedis(dist, vars, keys) {
  await withRedis(dist, vars, async (c) => {
    for (let i = 1; i <= keys; i++) await c.call('SET', `${vars.KEY_PREFIX}session:${i}`, `user-${i}`);
    await c.call('SET', `${vars.KEY_PREFIX}marker`, 'seeded in production');
  });
}

/** Keys under the add-on's prefix (SCAN, as the add-on's own user may), and the marker. */
export async function readRedis(dist, vars) {
  return withRedis(dist, vars, async (c) => {
    let cursor = '0';
    let keys = 0;
    do {
      const [next, batch] = await c.call('SCAN', cursor, 'MATCH', `${vars.KEY_PREFIX}*`, 'COUNT', 1000);
      cursor = String(next);
      keys += batch.length;
    } while (cursor !== '0');
    const marker = await c.call('GET', `${vars.KEY_PREFIX}marker`);
    return { keys, marker: marker === null ? null : String(marker) };
  });
}
