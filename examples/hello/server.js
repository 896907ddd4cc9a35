// A small web service: answers every path, and /healthz for Wharf's health gate.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const started = Date.now();
let requests = 0;

const server = createServer((req, res) => {
  requests++;
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, uptime_ms: Date.now() - started }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${process.env.GREETING ?? 'Hello'} (pid ${process.pid}, request ${requests})\n`);
});

server.listen(port, () => console.log(`web listening on ${port}`));

// Finish in-flight requests on SIGTERM, as Wharf's graceful stop expects.
process.on('SIGTERM', () => {
  console.log('web stopping');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
