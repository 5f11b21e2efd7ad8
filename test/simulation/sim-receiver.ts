/**
 * The subscribers' receiver of the dispatcher simulation, on 127.0.0.1: one server, a path per
 * subscription. Each request is answered as `decide` says: a status, no answer at all (the
 * sender's deadline passes: a timeout), or the connection reset after the request was read.
 * Every request is recorded with what it was answered, in arrival order.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer = number | 'timeout' | 'reset';

export interface SimRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answer: Answer;
}

export interface SimReceiver {
  url: string;
  requests: SimRequest[];
  decide: (request: Omit<SimRequest, 'answer'>) => Answer;
  close(): Promise<void>;
}

export async function startSimReceiver(): Promise<SimReceiver> {
  const held = new Set<ServerResponse>();
  const receiver: SimReceiver = {
    url: '',
    requests: [],
    decide: () => 200,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const answer = receiver.decide(request);
      receiver.requests.push({ ...request, answer });
      if (answer === 'reset') req.socket.destroy();
      else if (answer === 'timeout') {
        // Never answered: the sender gives up at its deadline and closes the connection.
        held.add(res);
        res.on('close', () => held.delete(res));
      } else {
        res.writeHead(answer, { 'content-type': 'text/plain' });
        res.end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const res of held) res.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}
