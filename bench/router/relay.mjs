// The floor of any proxy written for Node: a raw TCP relay, one upstream connection per client
// connection, bytes copied both ways with no HTTP parsing, no routing and no figures. The same
// two reads and two writes per request as Wharf's router (bench/router/RESULTS.md), so its
// req/s is the most a single-process Node proxy can do here, whatever its HTTP layer costs.
//
//   node bench/router/relay.mjs LISTEN_PORT UPSTREAM_PORT
import net from 'node:net';

const [listen, upstream] = process.argv.slice(2).map(Number);
const server = net.createServer({ noDelay: true }, (client) => {
  const up = net.connect({ port: upstream, host: '127.0.0.1', noDelay: true });
  client.on('data', (d) => up.write(d));
  up.on('data', (d) => client.write(d));
  for (const [a, b] of [[client, up], [up, client]]) {
    a.on('error', () => b.destroy());
    a.on('close', () => b.destroy());
  }
});
server.listen(listen, '127.0.0.1');
