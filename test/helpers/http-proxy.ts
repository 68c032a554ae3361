/** A tiny forward proxy (CONNECT tunnels and absolute-URI requests) on 127.0.0.1, for HTTPS_PROXY tests. */
import http from 'node:http';
import net from 'node:net';
import { closeServer, listen, trackSockets } from './net.js';

export interface ForwardProxy {
  url: string;
  /** `host:port` of every CONNECT tunnel opened. */
  connects: string[];
  /** Absolute URLs of plain forwarded requests. */
  forwarded: string[];
  close(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const connects: string[] = [];
  const forwarded: string[] = [];
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    forwarded.push(req.url ?? '');
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const fwd = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const hostPort = req.url ?? '';
    connects.push(hostPort);
    const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream).add(client);
    const done = (): void => {
      upstream.destroy();
      client.destroy();
      tunnels.delete(upstream);
      tunnels.delete(client);
    };
    upstream.on('error', done).on('close', done);
    client.on('error', done).on('close', done);
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    forwarded,
    close: () => closeServer(server, new Set([...sockets, ...tunnels])),
  };
}
