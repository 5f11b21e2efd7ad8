/**
 * A webhook receiver to try subscriber events locally (docs/events.md):
 *
 *   npm run receiver -- --secret whsec_...      (PORT=4000 by default, 127.0.0.1 only)
 *
 * It verifies each delivery's Standard Webhooks signature with the `standardwebhooks`
 * package, as your own receiver would, prints the event, and answers 204; a delivery that
 * does not verify gets 400. Every webhook-id is printed once: a retry of one already seen is
 * answered 204 again and marked as a repeat (receivers drop repeats by webhook-id).
 * It is also a template: the handler below is what a receiver needs.
 */
import { createServer } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { intOption, parseCliOrExit, UsageError } from './cli.ts';

const USAGE = `usage: npm run receiver -- --secret whsec_... [--port 4000]

  A webhook receiver for subscriber events, on 127.0.0.1: verifies each delivery's Standard
  Webhooks signature, prints the event and answers 204 (400 when it does not verify). A
  repeat of a webhook-id already seen is answered 204 and marked as a repeat.

options:
  --secret whsec_...  the secret POST /v1/subscriptions answered once (or WEBHOOK_SECRET)
  --port N            the port to listen on (or PORT; default 4000)
  --help              show this text`;

const { secret, port } = parseCliOrExit(
  {
    name: 'receiver',
    usage: USAGE,
    options: { secret: { type: 'string' }, port: { type: 'string' } },
  },
  ({ values }) => {
    const secret = values.secret ?? process.env.WEBHOOK_SECRET;
    if (!secret?.startsWith('whsec_')) {
      throw new UsageError(
        'give --secret whsec_... (the secret POST /v1/subscriptions answered once)',
      );
    }
    return {
      secret,
      port: intOption('port', values.port ?? process.env.PORT ?? '4000', 1, 65_535),
    };
  },
);
const webhook = new Webhook(secret);
const seen = new Set<string>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const event = webhook.verify(body, req.headers as Record<string, string>) as {
        type: string;
        timestamp: string;
        data: unknown;
      };
      const id = String(req.headers['webhook-id']);
      const repeat = seen.has(id);
      seen.add(id);
      console.log(
        `${event.timestamp} ${event.type} ${id}${repeat ? ' (repeat, ignored)' : ''}\n  ${JSON.stringify(event.data)}`,
      );
      res.writeHead(204).end();
    } catch (err: unknown) {
      const why = err instanceof WebhookVerificationError ? err.message : 'unreadable';
      console.log(`refused a delivery: ${why}`);
      res.writeHead(400).end();
    }
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`receiver listening on http://127.0.0.1:${port}/ (Ctrl+C to stop)`);
});
