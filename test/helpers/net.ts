/** Loopback plumbing shared by the test helpers: only 127.0.0.1, always closable. */
import net from 'node:net';
import type http from 'node:http';

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Listens on 127.0.0.1 on a free port; returns the port. */
export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

/** Closes a server and every connection it still holds (hung clients included). */
export async function closeServer(server: net.Server | http.Server, sockets?: Set<net.Socket>): Promise<void> {
  for (const s of sockets ?? []) s.destroy();
  const h = server as http.Server;
  if (typeof h.closeAllConnections === 'function') h.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Tracks a server's sockets so that closeServer can destroy them. */
export function trackSockets(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}
