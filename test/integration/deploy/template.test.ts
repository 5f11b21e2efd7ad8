/**
 * `npm run package` offline (no AWS credentials, no network), then the CloudFormation it
 * generates: routes reach the right functions, the webhook has its Function URL, the table
 * equals lib/store/table.ts, IAM is exactly what each bundle's code calls and only on the
 * items it touches, concurrency is reserved, no secret travels in an environment block, and
 * the whole template passes AWS's resource schemas (aws-cdk-lib, offline).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';
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
import { allows, asList, type Statement } from '../../helpers/iam-policy.ts';

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
const indexArn = (name: string) => ({
  'Fn::Join': ['', [TABLE_ARN, `/index/${name}`]],
});
const ssmArn = (name: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`,
});
const BOT_TOKEN = /\d{5,}:[A-Za-z0-9_-]{30,}/;

/**
 * The items each function may reach, by partition key prefix (lib/store/keys.ts after the
 * key schema of issue 9): reads and writes on the table, Query on each index.
 */
const ACCESS: Record<
  string,
  {
    read: string[];
    write: string[];
    gsi1: string[];
    gsi2: string[];
    /** Table items reached by some operations only: prefix -> those operations. */
    only?: Record<string, string[]>;
  }
> = {
  webhook: {
    read: ['USER#', 'CHAT#'],
    write: ['USER#', 'CHAT#'],
    gsi1: ['SHAREDOF#', 'CHAT#'],
    gsi2: [],
  },
  lookup: {
    read: ['USER#', 'CHAT#', 'APIKEY#'],
    write: ['USER#'],
    gsi1: ['CHAT#', 'SHAREDOF#', 'APIKEYS', 'TAG#'],
    gsi2: ['USERNAME#', 'PHONE#'],
    only: { 'IDEMPOTENCY#': ['GetItem', 'PutItem', 'UpdateItem'] },
  },
};
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query']);
/** One partition key of every kind the table and its indexes hold, and some they never do. */
const PROBES = [
  'USER#1001',
  'CHAT#-100200300',
  'APIKEY#9f86d081884c7d659a2feaa0c55ad015',
  'APIKEYS',
  'SHAREDOF#1001',
  'TAG#vip',
  'USERNAME#alice',
  'PHONE#+15551234567',
  'IDEMPOTENCY#k_1#9f86d081884c7d659a2feaa0c55ad015',
  'UPDATE#42',
  'user#1001',
  'XUSER#1001',
];
const reaches = (grants: string[], key: string) =>
  grants.some((grant) => (grant.endsWith('#') ? key.startsWith(grant) : key === grant));

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
      expect(props.Timeout).toBeLessThanOrEqual(10);
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
    'lets %s reach exactly its own partition keys, on the table and on each index',
    (name) => {
      const access = ACCESS[name];
      if (!access) throw new Error(`no expected access for ${name}`);
      const statements = statementsOf(name);
      const targets = { table: TABLE_ARN, gsi1: indexArn('gsi1'), gsi2: indexArn('gsi2') };
      const wrong: string[] = [];
      for (const operation of dynamoOperations(join(DEFAULT_OUT_DIR, name))) {
        for (const [target, resource] of Object.entries(targets)) {
          for (const key of PROBES) {
            const grants =
              target === 'table'
                ? access[READ_OPERATIONS.has(operation) ? 'read' : 'write']
                : operation === 'Query'
                  ? access[target as 'gsi1' | 'gsi2']
                  : [];
            const only = Object.entries(target === 'table' ? (access.only ?? {}) : {});
            const expected =
              reaches(grants, key) ||
              only.some(([prefix, ops]) => key.startsWith(prefix) && ops.includes(operation));
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
    expect(allows(statements, { ...batch, leadingKeys: ['USER#1', 'CHAT#-1'] })).toBe(true);
    expect(allows(statements, { ...batch, leadingKeys: ['USER#1', 'APIKEY#9f86d081'] })).toBe(
      false,
    );
  });

  it("lets the lookup write contacts' items only (live answers, erasure), never a chat or a key", () => {
    const statements = statementsOf('lookup');
    const writes = [...dynamoOperations(join(DEFAULT_OUT_DIR, 'lookup'))].filter(
      (operation) => !READ_OPERATIONS.has(operation),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const operation of writes) {
      const request = { action: `dynamodb:${operation}`, resource: TABLE_ARN };
      expect(allows(statements, { ...request, leadingKeys: ['USER#1001'] }), operation).toBe(true);
      for (const key of ['CHAT#-100200300', 'APIKEY#9f86d081', 'USERNAME#alice', 'UPDATE#1']) {
        expect(allows(statements, { ...request, leadingKeys: [key] }), `${operation} ${key}`).toBe(
          false,
        );
      }
    }
    expect(writes.sort()).toEqual(['DeleteItem', 'PutItem', 'UpdateItem']);
  });

  it.each(FUNCTION_NAMES)(
    'lets %s read only its own SSM parameters and write only its own logs',
    (name) => {
      const statements = statementsOf(name);
      const actions = statements.flatMap((s) => asList(s.Action));
      const services = new Set(actions.map((action) => action.split(':')[0]));
      expect([...services].sort()).toEqual(['dynamodb', 'logs', 'ssm']);

      const params = Object.entries(environmentOf(name))
        .filter(([key]) => key.endsWith('_PARAM'))
        .map(([, value]) => String(value));
      expect(params.length).toBeGreaterThan(0);
      const ssm = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('ssm:')));
      expect(ssm.flatMap((s) => asList(s.Action))).toEqual(['ssm:GetParameter']);
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

  it('outputs the webhook URL to register, the lookup API URL and the table name', () => {
    expect(outputs.WebhookUrl?.Value).toEqual({
      'Fn::GetAtt': ['WebhookLambdaFunctionUrl', 'FunctionUrl'],
    });
    expect(JSON.stringify(outputs.LookupApiUrl?.Value)).toContain('/v1');
    expect(outputs.TableName?.Value).toEqual({ Ref: 'ContactsTable' });
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
