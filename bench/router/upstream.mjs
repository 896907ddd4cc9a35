// The trivial upstream of the router benchmark (as in /work/shared/bench/peers): answers `ok`.
import http from 'node:http';

const server = http.createServer((req, res) => res.end('ok'));
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
