// A free loopback TCP port, for a benchmark's router: bound to port 0, read, released.
import net from 'node:net';

export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
