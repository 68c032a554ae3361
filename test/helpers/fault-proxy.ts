/**
 * A node:http reverse proxy in front of a real registry that injects faults: canned statuses
 * (429 + Retry-After, 503, 401 challenges, redirects), hung requests and reset connections.
 */
import http from 'node:http';
import type net from 'node:net';
import { closeServer, listen, trackSockets } from './net.js';

export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'hang'
  | 'reset'
  /** forward, but only after this long */
  | { delayMs: number };

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  fault: string | undefined;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`, for image references. */
  host: string;
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * `decide(req, n)` is called for every request (n counts from 0); returning undefined forwards it
 * to `target` (an http:// URL) unchanged.
 */
export async function startFaultProxy(target: string, decide: (req: http.IncomingMessage, n: number) => Fault | undefined): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: SeenRequest[] = [];
  const hung = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const n = requests.length;
    const fault = decide(req, n);
    const label = fault === undefined ? undefined : typeof fault === 'string' ? fault : 'delayMs' in fault ? `delay ${fault.delayMs}` : String(fault.status);
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, fault: label });
    if (fault === 'hang') {
      hung.add(req.socket);
      return;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, fault.headers ?? {});
      res.end(fault.body ?? '');
      return;
    }
    const forward = () => {
      const fwd = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on('error', () => res.destroy());
      req.pipe(fwd);
    };
    if (fault && 'delayMs' in fault) {
      req.pause();
      const timer = setTimeout(forward, fault.delayMs);
      req.socket.once('close', () => clearTimeout(timer));
    } else forward();
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => closeServer(server, new Set([...sockets, ...hung])),
  };
}
