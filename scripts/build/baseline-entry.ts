/**
 * The baseline the webhook bundle is measured against (issue 5): bare telegraf and the
 * DynamoDB DocumentClient, one UpdateItem per message. Built with the functions' own esbuild
 * options (scripts/build/bundle.ts), never deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const bot = new Telegraf(process.env.TELEGRAM_BOT_TOKEN ?? '');

bot.on('message', async (ctx) => {
  await client.send(
    new UpdateCommand({
      TableName: process.env.TABLE_NAME ?? 'baseline',
      Key: { pk: `USER#${ctx.from.id}`, sk: 'PROFILE' },
      UpdateExpression: 'ADD messageCount :one',
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
});

export async function handler(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  await bot.handleUpdate(JSON.parse(event.body ?? '{}') as Update);
  return { statusCode: 200 };
}
