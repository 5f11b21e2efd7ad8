/**
 * `npm run package` offline (no AWS credentials, no network), then the CloudFormation it
 * generates: routes reach the right functions, the webhook has its Function URL, the table
 * equals lib/store/table.ts, the dispatcher is triggered by the table's stream (filtered to
 * new outbox items, with bisection and a dead-letter queue) and by a schedule, IAM is exactly
 * what each bundle's code calls, on the key kinds its declared grants name (lib/store/grants/,
 * statement for statement), and nothing else, concurrency is reserved, no
 * secret travels in an environment block, and the whole template passes AWS's resource
 * schemas (aws-cdk-lib, offline).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';
import { FUNCTION_GRANTS } from '../../../lib/store/grants/function-grants.ts';
import {
  type GrantStatement,
  grantStatements,
  permits,
  type TableAction,
  type Target,
} from '../../../lib/store/grants/grants.ts';
import { contactMonthKey, type Key, membershipKey } from '../../../lib/store/keys.ts';
import { deliveryKey, outboxKey, subscriptionKey } from '../../../lib/store/service-keys.ts';
import {
  ATTRIBUTE_DEFINITIONS,
  GLOBAL_SECONDARY_INDEXES,
  KEY_SCHEMA,
  TTL_ATTRIBUTE,
} from '../../../lib/store/table.ts';
import { DEFAULT_OUT_DIR, FUNCTION_NAMES, ROOT } from '../../../scripts/build/bundle.ts';
import { DEFAULT_MAX_CONNECTIONS } from '../../../scripts/webhook-cli.ts';
import { dynamoOperations } from '../../helpers/bundle-operations.ts';
import { validateTemplateFile } from '../../helpers/cfn-schema.ts';
import { filterMatches } from '../../helpers/event-filter.ts';
import { allows, asList, type Statement } from '../../helpers/iam-policy.ts';
import { keyKindsOfKeysModule } from '../../helpers/key-kinds.ts';

const run = promisify(execFile);
const STAGE = 'test';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
const TABLE_ARN = { 'Fn::GetAtt': ['ContactsTable', 'Arn'] };
const STREAM_ARN = { 'Fn::GetAtt': ['ContactsTable', 'StreamArn'] };
const DEAD_LETTER_ARN = { 'Fn::GetAtt': ['DispatcherDeadLetterQueue', 'Arn'] };
/** What Lambda's event source mapping does with the role to read a DynamoDB stream. */
const STREAM_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
const indexArn = (name: string) => ({
  'Fn::Join': ['', [TABLE_ARN, `/index/${name}`]],
});
const ssmArn = (name: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`,
});
const BOT_TOKEN = /\d{5,}:[A-Za-z0-9_-]{30,}/;

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query']);

/** One partition key of every kind the table and its indexes hold, and some they never do. */
const PROBES = [
  ...new Set(keyKindsOfKeysModule().map(({ kind }) => (kind.endsWith('#') ? `${kind}42` : kind))),
  'UPDATE#42',
  'user#1001',
  'XUSER#1001',
  'OUTBOXES',
];
const grantsOf = (name: string) => {
  const grants = FUNCTION_GRANTS[name as keyof typeof FUNCTION_GRANTS];
  if (!grants) throw new Error(`no declared grants for ${name}`);
  return grants;
};

/** A DynamoDB Streams record as Lambda passes it from a KEYS_ONLY stream. */
const streamRecord = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', key: Key) => ({
  eventID: 'c4ca4238a0b923820dcc509a6f75849b',
  eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-1',
  dynamodb: {
    ApproximateCreationDateTime: 1767225600,
    Keys: { pk: { S: key.pk }, sk: { S: key.sk } },
    SequenceNumber: '4421584500000000017450439091',
    SizeBytes: 64,
    StreamViewType: 'KEYS_ONLY',
  },
  eventSourceARN:
    'arn:aws:dynamodb:us-east-1:123456789012:table/telegram-contacts-test/stream/2026-01-01T00:00:00.000',
});
const EVENT_ID = 'evt_0123456789abcdef01234567';
const SUBSCRIPTION_ID = 'sub_0123456789abcdef0123';

const capitalized = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`;

describe('npm run package (osls, offline)', () => {
  let packageDir: string;
  let templateFile: string;
  let resources: Record<string, Resource>;
  let outputs: Record<string, { Value: unknown }>;
  let state: { service: { functions: Record<string, { package: { artifact: string } }> } };

  const resource = (logicalId: string): Resource => {
    const found = resources[logicalId];
    if (!found) throw new Error(`no resource ${logicalId}`);
    return found;
  };
  const lambda = (name: string) => resource(`${capitalized(name)}LambdaFunction`);
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, r]) => r.Type === type) as [string, Resource][];
  const statementsOf = (name: string): Statement[] => {
    const role = lambda(name).Properties.Role as { 'Fn::GetAtt': [string, string] };
    const policies = resource(role['Fn::GetAtt'][0]).Properties.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    return policies.flatMap((policy) => policy.PolicyDocument.Statement);
  };
  const permissionsOf = (name: string) =>
    ofType('AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter(
        (p) =>
          (p.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ===
          `${capitalized(name)}LambdaFunction`,
      );
  const environmentOf = (name: string) =>
    ((lambda(name).Properties.Environment as Json | undefined)?.Variables ?? {}) as Record<
      string,
      unknown
    >;

  beforeAll(async () => {
    packageDir = mkdtempSync(join(tmpdir(), 'telegram-contacts-sls-'));
    // No credentials, no profile: packaging must not need AWS.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')),
    );
    await run('npm', ['run', 'package', '--', '--stage', STAGE, '--package', packageDir], {
      cwd: ROOT,
      env,
      timeout: 120_000,
    });
    templateFile = join(packageDir, 'cloudformation-template-update-stack.json');
    const template = JSON.parse(readFileSync(templateFile, 'utf8'));
    resources = template.Resources;
    outputs = template.Outputs;
    state = JSON.parse(readFileSync(join(packageDir, 'serverless-state.json'), 'utf8'));
  }, 180_000);

  afterAll(() => {
    if (packageDir) rmSync(packageDir, { recursive: true, force: true });
  });

  it('deploys each built function from its prebuilt zip on nodejs22.x and arm64', () => {
    expect(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    ).toEqual(FUNCTION_NAMES.map((name) => `${capitalized(name)}LambdaFunction`).sort());
    for (const name of FUNCTION_NAMES) {
      const props = lambda(name).Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        FunctionName: `telegram-contacts-${STAGE}-${name}`,
      });
      // The dispatcher waits on receivers (5 s each, a first retry within 15 s); the others
      // answer a caller that gives up sooner.
      expect(props.Timeout).toBeLessThanOrEqual(name === 'dispatcher' ? 60 : 10);
      expect(props.MemorySize).toBeGreaterThanOrEqual(256);
      expect(state.service.functions[name]?.package.artifact).toBe(`dist/${name}.zip`);
    }
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('routes every lookup route of the contract to the lookup function on one API', () => {
    const apis = ofType('AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(1);
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = resource(target['Fn::Join'][1][1].Ref).Properties;
      const uri = integration.IntegrationUri as { 'Fn::GetAtt': [string, string] };
      expect(route.Properties.ApiId).toEqual({ Ref: apis[0]?.[0] });
      expect(integration.PayloadFormatVersion).toBe('2.0');
      const fn = FUNCTION_NAMES.find(
        (n) => `${capitalized(n)}LambdaFunction` === uri['Fn::GetAtt'][0],
      );
      return { key: String(route.Properties.RouteKey), fn };
    });
    expect(Object.fromEntries(routes.map((r) => [r.key, r.fn]))).toEqual({
      'GET /v1/{proxy+}': 'lookup',
      'POST /v1/{proxy+}': 'lookup',
      'PATCH /v1/{proxy+}': 'lookup',
      'DELETE /v1/{proxy+}': 'lookup',
    });

    const reaches = (method: string, path: string) =>
      routes.find((r) => {
        const [routeMethod, template = ''] = r.key.split(' ');
        const pattern = template.replace(/\{[^}]+\+\}/g, '.+').replace(/\{[^}]+\}/g, '[^/]+');
        return routeMethod === method && new RegExp(`^${pattern}$`).test(path);
      })?.fn;
    expect(LOOKUP_ROUTES.length).toBeGreaterThan(5);
    for (const route of LOOKUP_ROUTES) {
      const examplePath = route.path.replace(/\{[^}]+\}/g, '42');
      expect(reaches(route.method, examplePath), `${route.method} ${route.path}`).toBe('lookup');
    }
    expect(reaches('GET', '/v1/openapi.json')).toBe('lookup');
    expect(reaches('POST', '/telegram/webhook')).toBeUndefined();

    expect(permissionsOf('lookup')).toEqual([
      {
        FunctionName: { 'Fn::GetAtt': ['LookupLambdaFunction', 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        SourceArn: expect.anything(),
      },
    ]);
  });

  it('serves the webhook on a public Function URL (the secret token authenticates), not the API', () => {
    const urls = ofType('AWS::Lambda::Url');
    expect(urls.map(([id]) => id)).toEqual(['WebhookLambdaFunctionUrl']);
    expect(urls[0]?.[1].Properties).toEqual({
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': ['WebhookLambdaFunction', 'Arn'] },
    });
    // Since October 2025 a public URL needs both grants; the second only through the URL.
    const fn = { 'Fn::GetAtt': ['WebhookLambdaFunction', 'Arn'] };
    expect(permissionsOf('webhook')).toEqual([
      {
        FunctionName: fn,
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      },
      {
        FunctionName: fn,
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        InvokedViaFunctionUrl: true,
      },
    ]);
    expect(outputs.WebhookUrl?.Value).toEqual({
      'Fn::GetAtt': ['WebhookLambdaFunctionUrl', 'FunctionUrl'],
    });
    expect(environmentOf('webhook')).toHaveProperty('TELEGRAM_WEBHOOK_SECRET_PARAM');
  });

  it('reserves concurrency: the webhook as many as the deliveries Telegram is told to open', () => {
    const reserved = (name: string) => lambda(name).Properties.ReservedConcurrentExecutions;
    expect(reserved('webhook')).toBe(DEFAULT_MAX_CONNECTIONS);
    // The lookup's per-instance rate limiter counts on a bound to the number of instances.
    expect(reserved('lookup')).toBe(10);
    // At least a stream invocation and a sweep at once; few, since each calls receivers.
    expect(reserved('dispatcher')).toBeGreaterThanOrEqual(2);
    expect(reserved('dispatcher')).toBeLessThanOrEqual(10);
  });

  it('defines the table exactly as lib/store/table.ts, on demand, recoverable and retained', () => {
    const table = resource('ContactsTable');
    const byName = <T extends { AttributeName?: string; IndexName?: string }>(list: readonly T[]) =>
      [...list].sort((a, b) =>
        String(a.AttributeName ?? a.IndexName).localeCompare(
          String(b.AttributeName ?? b.IndexName),
        ),
      );
    const props = table.Properties;

    expect(props.TableName).toBe(`telegram-contacts-${STAGE}`);
    expect(props.KeySchema).toEqual(KEY_SCHEMA);
    expect(byName(props.AttributeDefinitions as [])).toEqual(byName(ATTRIBUTE_DEFINITIONS));
    expect(byName(props.GlobalSecondaryIndexes as [])).toEqual(byName(GLOBAL_SECONDARY_INDEXES));
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(props.SSESpecification).toEqual({ SSEEnabled: true });
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(props.DeletionProtectionEnabled).toBe(true);
    // Keys only: stream records name the item, never its names or phone numbers.
    expect(props.StreamSpecification).toEqual({ StreamViewType: 'KEYS_ONLY' });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    for (const name of FUNCTION_NAMES) {
      expect(environmentOf(name).TABLE_NAME).toBe(props.TableName);
    }
  });

  it.each(FUNCTION_NAMES)(
    'grants %s exactly the DynamoDB operations its bundle calls, each under a LeadingKeys condition',
    (name) => {
      const granted = new Set<string>();
      const known = [TABLE_ARN, ...GLOBAL_SECONDARY_INDEXES.map((i) => indexArn(i.IndexName))];
      for (const statement of statementsOf(name)) {
        expect(statement.Effect).toBe('Allow');
        const actions = asList(statement.Action);
        for (const action of actions) expect(action).not.toContain('*');
        if (!actions.some((action) => action.startsWith('dynamodb:'))) continue;
        // Reading the stream is the event source mapping's, checked below.
        if (actions.every((action) => STREAM_ACTIONS.includes(action))) continue;
        for (const action of actions) granted.add(action.slice('dynamodb:'.length));
        for (const target of asList(statement.Resource)) expect(known).toContainEqual(target);
        expect(statement.Condition, statement.Sid).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        });
      }
      expect([...granted].sort()).toEqual([...dynamoOperations(join(DEFAULT_OUT_DIR, name))]);
    },
  );

  it.each(FUNCTION_NAMES)(
    "equals %s's role to its declared grants (lib/store/grants/), statement for statement",
    (name) => {
      const targetOf = (resource: unknown): Target => {
        for (const target of ['gsi1', 'gsi2'] as const) {
          if (JSON.stringify(resource) === JSON.stringify(indexArn(target))) return target;
        }
        if (JSON.stringify(resource) === JSON.stringify(TABLE_ARN)) return 'table';
        throw new Error(`${name}: unknown resource ${JSON.stringify(resource)}`);
      };
      const inTemplate: GrantStatement[] = statementsOf(name)
        .filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')))
        .filter((s) => !asList(s.Action).every((a) => STREAM_ACTIONS.includes(a)))
        .flatMap((s) =>
          asList(s.Action).flatMap((action) =>
            asList(s.Resource).map((resource) => ({
              action,
              target: targetOf(resource),
              patterns: [
                ...asList(
                  (s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ??
                    []) as string[],
                ),
              ].sort(),
            })),
          ),
        )
        .sort((a, b) => `${a.target} ${a.action}`.localeCompare(`${b.target} ${b.action}`));
      // On a difference, the expected statements are printed: copy them to serverless.yml.
      expect(inTemplate).toEqual(grantStatements(grantsOf(name)));
    },
  );

  it.each(FUNCTION_NAMES)(
    'lets %s reach exactly its declared partition keys, on the table and on each index',
    (name) => {
      const grants = grantsOf(name);
      const statements = statementsOf(name);
      const targets = { table: TABLE_ARN, gsi1: indexArn('gsi1'), gsi2: indexArn('gsi2') };
      const wrong: string[] = [];
      for (const operation of dynamoOperations(join(DEFAULT_OUT_DIR, name))) {
        for (const [target, resource] of Object.entries(targets)) {
          for (const key of PROBES) {
            const expected = permits(grants, operation as TableAction, target as Target, [key]);
            const action = `dynamodb:${operation}`;
            if (allows(statements, { action, resource, leadingKeys: [key] }) !== expected) {
              wrong.push(
                `${operation} ${target} ${key}: expected ${expected ? 'allowed' : 'denied'}`,
              );
            }
          }
          // A request without leading keys (a Scan's shape) passes ForAllValues; Null stops it.
          if (allows(statements, { action: `dynamodb:${operation}`, resource, leadingKeys: [] })) {
            wrong.push(`${operation} ${target} without leading keys: expected denied`);
          }
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('lets no function list the API keys (the CLI does), and the lookup read only the key presented', () => {
    for (const name of FUNCTION_NAMES) {
      const query = { action: 'dynamodb:Query', resource: indexArn('gsi1') };
      expect(allows(statementsOf(name), { ...query, leadingKeys: ['APIKEYS'] }), name).toBe(false);
    }
    const lookup = statementsOf('lookup');
    for (const action of ['GetItem', 'BatchGetItem', 'Query']) {
      const request = { action: `dynamodb:${action}`, resource: TABLE_ARN };
      expect(allows(lookup, { ...request, leadingKeys: ['APIKEY#9f86d081'] }), action).toBe(
        action === 'GetItem',
      );
    }
  });

  it.each(['webhook', 'lookup'])(
    'lets %s end the references to an erased person: Query gsi2 under REF#, REFPHONE#, ACTOR#, delete or update where they live',
    (name) => {
      const statements = statementsOf(name);
      const query = { action: 'dynamodb:Query', resource: indexArn('gsi2') };
      for (const key of ['REF#1001', 'REFPHONE#+15550100001', 'ACTOR#1001']) {
        expect(allows(statements, { ...query, leadingKeys: [key] }), key).toBe(true);
      }
      const table = (action: string, key: string) =>
        allows(statements, {
          action: `dynamodb:${action}`,
          resource: TABLE_ARN,
          leadingKeys: [key],
        });
      for (const key of ['USER#1002', 'SUB#sub_1', 'BROADCAST#bc_1', 'BROADCAST#IDEM#k#h']) {
        expect(table('DeleteItem', key), key).toBe(true);
      }
      expect(table('UpdateItem', 'USER#1002')).toBe(true);
      // A direct message's idempotency record is made a tombstone, never deleted (its key must
      // keep refusing to send again).
      expect(table('UpdateItem', 'IDEMPOTENCY#k#h')).toBe(true);
      expect(table('DeleteItem', 'IDEMPOTENCY#k#h')).toBe(false);
      expect(table('DeleteItem', 'APIKEY#9f86d081')).toBe(false);
    },
  );

  it('keeps the webhook away from API keys, in single and batch requests', () => {
    const statements = statementsOf('webhook');
    for (const action of ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem']) {
      const request = { action: `dynamodb:${action}`, resource: TABLE_ARN };
      expect(allows(statements, { ...request, leadingKeys: ['APIKEY#9f86d081'] }), action).toBe(
        false,
      );
    }
    for (const target of [TABLE_ARN, indexArn('gsi1'), indexArn('gsi2')]) {
      const query = { action: 'dynamodb:Query', resource: target };
      expect(allows(statements, { ...query, leadingKeys: ['APIKEYS'] })).toBe(false);
      expect(allows(statements, { ...query, leadingKeys: ['APIKEY#9f86d081'] })).toBe(false);
    }
    // One foreign key in a batch denies the whole batch.
    const batch = { action: 'dynamodb:BatchGetItem', resource: TABLE_ARN };
    expect(allows(statements, { ...batch, leadingKeys: ['USER#1', 'USER#2'] })).toBe(true);
    // It batch-reads a migrating group's members alone, never a chat.
    expect(allows(statements, { ...batch, leadingKeys: ['USER#1', 'CHAT#-1'] })).toBe(false);
    expect(allows(statements, { ...batch, leadingKeys: ['USER#1', 'APIKEY#9f86d081'] })).toBe(
      false,
    );
  });

  it("lets the lookup write contacts', subscriptions' and broadcasts' items, and only add events, never a chat or a key", () => {
    const statements = statementsOf('lookup');
    const writes = [...dynamoOperations(join(DEFAULT_OUT_DIR, 'lookup'))].filter(
      (operation) => !READ_OPERATIONS.has(operation),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const operation of writes) {
      const request = { action: `dynamodb:${operation}`, resource: TABLE_ARN };
      for (const key of ['USER#1001', `SUB#${SUBSCRIPTION_ID}`, 'BROADCAST#bc_0123']) {
        // Batch writes are a broadcast's recipients alone.
        const expected = operation !== 'BatchWriteItem' || key.startsWith('BROADCAST#');
        expect(allows(statements, { ...request, leadingKeys: [key] }), `${operation} ${key}`).toBe(
          expected,
        );
      }
      // contact.erased and ping are written once; the lookup never changes an event.
      expect(allows(statements, { ...request, leadingKeys: [`OUTBOX#${EVENT_ID}`] })).toBe(
        operation === 'PutItem',
      );
      for (const key of ['CHAT#-100200300', 'APIKEY#9f86d081', 'USERNAME#alice', 'UPDATE#1']) {
        expect(allows(statements, { ...request, leadingKeys: [key] }), `${operation} ${key}`).toBe(
          false,
        );
      }
    }
    expect(writes.sort()).toEqual(['BatchWriteItem', 'DeleteItem', 'PutItem', 'UpdateItem']);
  });

  it('probes every partition key kind of lib/store/keys.ts, the references to a person included', () => {
    expect(PROBES).toEqual(
      expect.arrayContaining([
        'USER#42',
        'CHAT#42',
        'APIKEY#42',
        'OUTBOX#42',
        'SUB#42',
        'SHAREDOF#42',
        'SHAREDPHONE#42',
        'EVENTS#42',
        'TAG#42',
        'APIKEYS',
        'OUTBOX',
        'SUBS',
        'DUE',
        'BROADCAST#42',
        'BROADCASTS',
        'BROADCASTING',
        'USERNAME#42',
        'PHONE#42',
        'IDEMPOTENCY#42',
        'REF#42',
        'REFPHONE#42',
        'ACTOR#42',
      ]),
    );
  });

  it.each(FUNCTION_NAMES)(
    'lets %s read only its own SSM parameters and write only its own logs',
    (name) => {
      const statements = statementsOf(name);
      const actions = statements.flatMap((s) => asList(s.Action));
      const services = new Set(actions.map((action) => action.split(':')[0]));
      // The dispatcher also sends to its dead letters; its one secret is the bot token (it
      // calls Telegram for broadcasts alone).
      expect([...services].sort()).toEqual(
        name === 'dispatcher' ? ['dynamodb', 'logs', 'sqs', 'ssm'] : ['dynamodb', 'logs', 'ssm'],
      );

      const params = Object.entries(environmentOf(name))
        .filter(([key]) => key.endsWith('_PARAM'))
        .map(([, value]) => String(value));
      expect(params.length).toBe(name === 'dispatcher' ? 1 : 2);
      const ssm = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('ssm:')));
      expect(ssm.flatMap((s) => asList(s.Action))).toEqual(
        params.length > 0 ? ['ssm:GetParameter'] : [],
      );
      expect(ssm.flatMap((s) => asList(s.Resource))).toEqual(params.map(ssmArn));

      const logs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs.flatMap((s) => asList(s.Action)).sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
      expect(logs.flatMap((s) => asList(s.Resource))).toEqual([
        { 'Fn::GetAtt': [`${capitalized(name)}LogGroup`, 'Arn'] },
      ]);
      const role = resource(
        (lambda(name).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? '',
      );
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    },
  );

  it('passes SSM parameter names, never secret values, in the environment', () => {
    const allowed = new Set([
      'TABLE_NAME',
      'TELEGRAM_BOT_USERNAME',
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_LOG_LEVEL',
      'NODE_OPTIONS',
      'RETENTION_DAYS',
      'TELEGRAM_BOT_TOKEN_PARAM',
      'TELEGRAM_WEBHOOK_SECRET_PARAM',
      'CURSOR_SECRET_PARAM',
      // How long events and monthly activity are kept: a number of days, not a secret.
      'RETENTION_DAYS',
      // Broadcast messages per second.
      'BROADCAST_RATE',
    ]);
    for (const name of FUNCTION_NAMES) {
      const environment = environmentOf(name);
      for (const [key, value] of Object.entries(environment)) {
        expect(allowed.has(key), `${name}: ${key}`).toBe(true);
        expect(typeof value).toBe('string');
        expect(String(value)).not.toMatch(BOT_TOKEN);
        if (key.endsWith('_PARAM'))
          expect(value).toMatch(new RegExp(`^/telegram-contacts/${STAGE}/[a-z-]+$`));
      }
      expect(environment.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(environment.POWERTOOLS_SERVICE_NAME).toBe('telegram-contacts');
    }
    expect(environmentOf('webhook')).toMatchObject({
      TELEGRAM_BOT_TOKEN_PARAM: `/telegram-contacts/${STAGE}/bot-token`,
      TELEGRAM_WEBHOOK_SECRET_PARAM: `/telegram-contacts/${STAGE}/webhook-secret`,
    });
    expect(environmentOf('lookup')).toMatchObject({
      TELEGRAM_BOT_TOKEN_PARAM: `/telegram-contacts/${STAGE}/bot-token`,
      CURSOR_SECRET_PARAM: `/telegram-contacts/${STAGE}/cursor-secret`,
    });
    expect(environmentOf('dispatcher')).toMatchObject({
      TELEGRAM_BOT_TOKEN_PARAM: `/telegram-contacts/${STAGE}/bot-token`,
      BROADCAST_RATE: '25',
    });
    // Never the local stack's loopback switch: deployed, receivers are https and public.
    for (const name of FUNCTION_NAMES) {
      expect(environmentOf(name)).not.toHaveProperty('EVENTS_ALLOW_LOOPBACK');
    }
    expect(JSON.stringify(resources)).not.toMatch(BOT_TOKEN);
  });

  it('sets log retention on every function log group and throttles the lookup API stage', () => {
    for (const name of FUNCTION_NAMES) {
      const group = resource(`${capitalized(name)}LogGroup`).Properties;
      expect(group.LogGroupName).toBe(`/aws/lambda/telegram-contacts-${STAGE}-${name}`);
      expect(group.RetentionInDays).toBeGreaterThan(0);
      expect(lambda(name).DependsOn).toContain(`${capitalized(name)}LogGroup`);
    }
    const [[, stage] = []] = ofType('AWS::ApiGatewayV2::Stage');
    const settings = stage?.Properties.DefaultRouteSettings as Json;
    expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(settings.ThrottlingBurstLimit).toBeGreaterThanOrEqual(
      Number(settings.ThrottlingRateLimit),
    );
  });

  it('outputs the webhook URL to register, the lookup API URL, the table name and the DLQ', () => {
    expect(outputs.WebhookUrl?.Value).toEqual({
      'Fn::GetAtt': ['WebhookLambdaFunctionUrl', 'FunctionUrl'],
    });
    expect(JSON.stringify(outputs.LookupApiUrl?.Value)).toContain('/v1');
    expect(outputs.TableName?.Value).toEqual({ Ref: 'ContactsTable' });
    // A queue's Ref is its URL, what `aws sqs receive-message --queue-url` takes.
    expect(outputs.DispatcherDeadLetterQueueUrl?.Value).toEqual({
      Ref: 'DispatcherDeadLetterQueue',
    });
  });

  it.each(FUNCTION_NAMES)('grants %s no Scan and no resource by wildcard', (name) => {
    for (const statement of statementsOf(name)) {
      expect(asList(statement.Action), statement.Sid).not.toContain('dynamodb:Scan');
      for (const target of asList(statement.Resource)) {
        expect(JSON.stringify(target), statement.Sid).not.toContain('*');
      }
    }
  });

  describe('the dispatcher', () => {
    const mapping = () => {
      const mappings = ofType('AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      return (mappings[0] as [string, Resource])[1].Properties;
    };
    const filters = () =>
      (mapping().FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map(
        (filter) => filter.Pattern,
      );
    /** Whether the mapping hands `record` to the function: some filter passes it. */
    const passes = (record: unknown) => filters().some((pattern) => filterMatches(pattern, record));

    it("is triggered by the table's stream, from its tip, in small batches without waiting", () => {
      expect(mapping()).toMatchObject({
        EventSourceArn: STREAM_ARN,
        FunctionName: { 'Fn::GetAtt': ['DispatcherLambdaFunction', 'Arn'] },
        Enabled: true,
        StartingPosition: 'LATEST',
        BatchSize: 25,
        // A batching window would add its whole length to every event's latency.
        MaximumBatchingWindowInSeconds: 0,
      });
      expect(mapping().ParallelizationFactor).toBeUndefined();
    });

    it('passes it new outbox items only: events about a user, a chat, or of their own', () => {
      expect(filters()).toHaveLength(1);
      const events = [
        outboxKey({ userId: 1001 }, EVENT_ID),
        outboxKey({ chatId: -100200300 }, EVENT_ID),
        outboxKey({}, EVENT_ID),
      ];
      for (const key of events) {
        expect(passes(streamRecord('INSERT', key)), `INSERT ${key.pk} ${key.sk}`).toBe(true);
        // Its own marking of an event as fanned out, and the TTL's deletion.
        expect(passes(streamRecord('MODIFY', key)), `MODIFY ${key.pk}`).toBe(false);
        expect(passes(streamRecord('REMOVE', key)), `REMOVE ${key.pk}`).toBe(false);
      }
      const others = [
        contactMonthKey(1001, '2026-01'),
        membershipKey(1001, -100200300),
        subscriptionKey(SUBSCRIPTION_ID),
        deliveryKey(SUBSCRIPTION_ID, EVENT_ID),
        // A partition key that looks like an event's does not make an item one.
        { pk: `OUTBOX#${EVENT_ID}`, sk: 'PROFILE' },
      ];
      for (const key of others) {
        expect(passes(streamRecord('INSERT', key)), `INSERT ${key.pk} ${key.sk}`).toBe(false);
      }
    });

    it('bisects a failing batch, retries it a bounded time, then reports it to its dead-letter queue', () => {
      const props = mapping();
      expect(props.BisectBatchOnFunctionError).toBe(true);
      expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      // Bounded (the default -1 retries a poisoned batch until the record expires, a day).
      expect(props.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(props.MaximumRetryAttempts).toBeLessThanOrEqual(10);
      expect(props.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
      expect(props.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(3600);
      expect(props.DestinationConfig).toEqual({ OnFailure: { Destination: DEAD_LETTER_ARN } });

      const queue = resource('DispatcherDeadLetterQueue');
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties).toMatchObject({
        QueueName: `telegram-contacts-${STAGE}-dispatcher-dlq`,
        // 14 days, SQS's longest.
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      });
    });

    it('sweeps every minute; a failed or late sweep is left to the next one', () => {
      const rules = ofType('AWS::Events::Rule');
      expect(rules).toHaveLength(1);
      const [ruleId, rule] = rules[0] as [string, Resource];
      const target = { 'Fn::GetAtt': ['DispatcherLambdaFunction', 'Arn'] };
      expect(rule.Properties).toMatchObject({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [{ Arn: target, Id: expect.any(String) }],
      });
      // EventBridge may invoke it only through this rule; nothing else may at all.
      expect(permissionsOf('dispatcher')).toEqual([
        {
          FunctionName: target,
          Action: 'lambda:InvokeFunction',
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
        },
      ]);

      const configs = ofType('AWS::Lambda::EventInvokeConfig');
      expect(configs.map(([, config]) => config.Properties)).toEqual([
        {
          FunctionName: { Ref: 'DispatcherLambdaFunction' },
          Qualifier: '$LATEST',
          DestinationConfig: {},
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: 60,
        },
      ]);
    });

    it("alone reads the stream, only its own table's, and sends only to its own queue", () => {
      const streamStatements = (name: string) =>
        statementsOf(name).filter((s) => asList(s.Action).some((a) => STREAM_ACTIONS.includes(a)));
      const sqsStatements = (name: string) =>
        statementsOf(name).filter((s) => asList(s.Action).some((a) => a.startsWith('sqs:')));

      const [stream, ...moreStream] = streamStatements('dispatcher');
      expect(moreStream).toEqual([]);
      expect(asList(stream?.Action ?? []).sort()).toEqual(STREAM_ACTIONS);
      expect(asList(stream?.Resource)).toEqual([STREAM_ARN]);
      expect(stream?.Condition).toBeUndefined();

      const [sqs, ...moreSqs] = sqsStatements('dispatcher');
      expect(moreSqs).toEqual([]);
      expect(asList(sqs?.Action ?? [])).toEqual(['sqs:SendMessage']);
      expect(asList(sqs?.Resource)).toEqual([DEAD_LETTER_ARN]);

      for (const name of FUNCTION_NAMES.filter((n) => n !== 'dispatcher')) {
        expect(streamStatements(name), name).toEqual([]);
        expect(sqsStatements(name), name).toEqual([]);
      }
    });

    it("keeps the dispatcher away from API keys, lookup indexes and deletions other than a broadcast's and a block record's", () => {
      const statements = statementsOf('dispatcher');
      for (const action of ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem']) {
        const request = { action: `dynamodb:${action}`, resource: TABLE_ARN };
        expect(allows(statements, { ...request, leadingKeys: ['APIKEY#9f86d081'] }), action).toBe(
          false,
        );
      }
      for (const key of [`OUTBOX#${EVENT_ID}`, `SUB#${SUBSCRIPTION_ID}`, 'CHAT#-100200300']) {
        const request = { action: 'dynamodb:DeleteItem', resource: TABLE_ARN, leadingKeys: [key] };
        expect(allows(statements, request), key).toBe(false);
      }
      for (const key of ['BROADCAST#bc_0123', 'USER#1001']) {
        const request = { action: 'dynamodb:DeleteItem', resource: TABLE_ARN, leadingKeys: [key] };
        expect(allows(statements, request), key).toBe(true);
      }
      for (const key of ['CHAT#-100200300', 'SHAREDOF#1001', 'APIKEYS', 'TAG#vip']) {
        const query = { action: 'dynamodb:Query', resource: indexArn('gsi1'), leadingKeys: [key] };
        expect(allows(statements, query), key).toBe(false);
      }
      const byUsername = { action: 'dynamodb:Query', resource: indexArn('gsi2') };
      expect(allows(statements, { ...byUsername, leadingKeys: ['USERNAME#alice'] })).toBe(false);
    });
  });

  describe("against AWS's resource schemas (aws-cdk-lib CfnInclude, offline)", () => {
    it('passes as packaged', () => {
      expect(() => validateTemplateFile(templateFile)).not.toThrow();
    }, 60_000);

    it('fails on a misspelt property, naming it', () => {
      const template = JSON.parse(readFileSync(templateFile, 'utf8'));
      const table = template.Resources.ContactsTable.Properties;
      table.PointInTimeRecoverySpecificaton = table.PointInTimeRecoverySpecification;
      delete table.PointInTimeRecoverySpecification;
      const misspelt = join(packageDir, 'misspelt.json');
      writeFileSync(misspelt, JSON.stringify(template));
      expect(() => validateTemplateFile(misspelt)).toThrow(/PointInTimeRecoverySpecificaton/);
    }, 60_000);
  });
});
