/**
 * A webhook receiver on 127.0.0.1 that records every request and answers as told: a status
 * (with headers), or `hang` (never answers, to test timeouts and shutdown). Always closable,
 * hung requests included.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import { closeServer, listen, trackSockets } from './net.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
/** `n` counts from 1: the receiver's n-th request. */
export type Responder = (req: ReceivedRequest, n: number) => Answer;

export interface Receiver {
  /** http://127.0.0.1:<port>/hook */
  url: string;
  requests: ReceivedRequest[];
  /** Resolves once `n` requests have arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 204 })): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      for (const w of waiters) w();
      const a = respond(r, requests.length);
      if (a === 'hang') return;
      res.writeHead(a.status, a.headers);
      res.end(a.body ?? '');
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the receiver got ${requests.length} request(s) in ${timeoutMs} ms, not ${n}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => closeServer(server, sockets),
  };
}
