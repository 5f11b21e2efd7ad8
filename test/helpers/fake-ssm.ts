/**
 * A fake SSM Parameter Store on 127.0.0.1 speaking the AWS JSON 1.1 protocol for GetParameter
 * and GetParameters (what Powertools Parameters sends). Point the SDK at it with
 * `AWS_ENDPOINT_URL_SSM=<url>`; `requests` records what was asked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSsmRequest {
  target: string;
  body: { Name?: string; Names?: string[]; WithDecryption?: boolean };
}

export interface FakeSsm {
  url: string;
  requests: FakeSsmRequest[];
  close(): Promise<void>;
}

function parameter(name: string, value: string) {
  return { Name: name, Type: 'SecureString', Value: value, Version: 1, DataType: 'text' };
}

export async function startFakeSsm(parameters: Record<string, string>): Promise<FakeSsm> {
  const requests: FakeSsmRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    requests.push({ target, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(payload));
    };
    if (target === 'AmazonSSM.GetParameter') {
      const value = parameters[body.Name];
      if (value === undefined) send(400, { __type: 'ParameterNotFound', message: body.Name });
      else send(200, { Parameter: parameter(body.Name, value) });
    } else if (target === 'AmazonSSM.GetParameters') {
      const names: string[] = body.Names ?? [];
      send(200, {
        Parameters: names.flatMap((n) => {
          const value = parameters[n];
          return value === undefined ? [] : [parameter(n, value)];
        }),
        InvalidParameters: names.filter((n) => parameters[n] === undefined),
      });
    } else {
      send(400, { __type: 'UnknownOperationException', message: target });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
