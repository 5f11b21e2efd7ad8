/**
 * The baseline the webhook bundle is measured against (issue 5): bare telegraf and the
 * DynamoDB DocumentClient, one UpdateItem per message. Built with the functions' own esbuild
 * options (scripts/build/bundle.ts), never deployed. `npm run bench` also runs
 * {@link createBaselineHandler} in-process as the throughput baseline.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Telegraf } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';

export type BaselineHandler = (
  event: APIGatewayProxyEventV2,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** `botInfo` spares the getMe call telegraf otherwise makes before the first update. */
export function createBaselineHandler(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  botInfo?: UserFromGetMe;
}): BaselineHandler {
  const bot = new Telegraf(process.env.TELEGRAM_BOT_TOKEN ?? '');
  if (options.botInfo) bot.botInfo = options.botInfo;
  bot.on('message', async (ctx) => {
    await options.client.send(
      new UpdateCommand({
        TableName: options.tableName,
        Key: { pk: `USER#${ctx.from.id}`, sk: 'PROFILE' },
        UpdateExpression: 'ADD messageCount :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  });
  return async (event) => {
    await bot.handleUpdate(JSON.parse(event.body ?? '{}') as Update);
    return { statusCode: 200 };
  };
}

export const handler = createBaselineHandler({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName: process.env.TABLE_NAME ?? 'baseline',
});
