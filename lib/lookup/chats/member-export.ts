/**
 * `GET /v1/chats/{chatId}/members/export`: every member of a chat in one CSV or NDJSON answer.
 *
 * Reads: the chat's keys (GSI1, one Query per ~13,000 members), the memberships (BatchGetItem,
 * 100 per request, 8 in flight), then each member's tags (and with `includePhone`, verified
 * phone) the same way. Names are those the membership holds (the member's names as of their
 * last update recorded in this chat), as in the member list: reading each contact's own
 * profile would cost a Query per member.
 *
 * Size: the answer must fit one Lambda response (limits.ts, export-size.ts). A chat with more
 * members than the limit holds even at the smallest rows is refused before reading any
 * membership; while memberships are read, the rows they make (without tags, so fewer bytes
 * than in the end) are counted, and the read stops with 413 once they pass the limit; at the
 * end the serialized answer itself is measured. 413 points to the paginated list.
 */

import { listChatMemberKeys, readChatMembers } from '../../directory/read/chat-roster.ts';
import { readMemberExtras } from '../../directory/read/member-extras.ts';
import type { Membership } from '../../directory/read/shapes.ts';
import { HttpError } from '../../http/http-error.ts';
import { type RawBody, rawResponse, responsePayloadBytes } from '../../http/raw-response.ts';
import type { Key } from '../../store/keys.ts';
import { callerOf, type RequestContext } from '../context.ts';
import { limitsOf } from '../limits.ts';
import {
  columnsOf,
  type ExportFormat,
  exportFile,
  renderExport,
  toExportRow,
} from './export-format.ts';
import { envelopeBytes, rowPayloadBytes, SMALLEST_ROW } from './export-size.ts';

export interface ExportQuery {
  format: ExportFormat;
  includePhone: boolean;
}

/** Keys read per step before the running size is checked: 8 BatchGetItem requests at once. */
const READ_STEP = 800;

function tooLarge(chatId: number, why: string, limit: number): HttpError {
  const list = `/v1/chats/${chatId}/members`;
  return new HttpError(
    413,
    `${why}, over the ${limit} bytes one answer can carry; page through GET ${list} (limit up to 100, with cursor) instead`,
    { headers: { link: `<${list}>; rel="alternate"` } },
  );
}

/**
 * The memberships at `keys`, read 800 at a time; 413 as soon as the rows they make without
 * tags or phones (fewer bytes than in the end) pass `limit` with the envelope.
 */
async function readMembersWithin(
  ctx: RequestContext,
  chatId: number,
  keys: readonly Key[],
  rowBytes: (member: Membership) => number,
  envelope: number,
  limit: number,
): Promise<Membership[]> {
  const members: Membership[] = [];
  let bytes = envelope;
  for (let i = 0; i < keys.length; i += READ_STEP) {
    const read = await readChatMembers(ctx.store, keys.slice(i, i + READ_STEP));
    for (const member of read) bytes += rowBytes(member);
    members.push(...read);
    if (bytes > limit) {
      const why = `the chat has ${keys.length} members; the first ${members.length} read already make ${bytes} bytes`;
      throw tooLarge(chatId, why, limit);
    }
  }
  return members.sort((a, b) => a.userId - b.userId);
}

export async function exportChatMembers(
  ctx: RequestContext,
  chatId: number,
  query: ExportQuery,
): Promise<RawBody> {
  const caller = callerOf(ctx);
  // Phones in bulk stay an admin's (admin keys always have the phones permission).
  if (query.includePhone && caller.scope !== 'admin') {
    throw new HttpError(
      403,
      `includePhone=true needs an admin key; this key has the ${caller.scope} scope`,
    );
  }
  const { format, includePhone } = query;
  const limit = limitsOf(ctx).responseBytes;
  const columns = columnsOf(includePhone);
  const envelope = envelopeBytes(chatId, format, columns);

  const keys = await listChatMemberKeys(ctx.store, chatId);
  const floor = envelope + keys.length * rowPayloadBytes(format, SMALLEST_ROW, columns);
  if (floor > limit) {
    const why = `the chat has ${keys.length} members: even of the smallest rows the export would make ${floor} bytes`;
    throw tooLarge(chatId, why, limit);
  }
  const members = await readMembersWithin(
    ctx,
    chatId,
    keys,
    (member) => rowPayloadBytes(format, toExportRow(member, undefined), columns),
    envelope,
    limit,
  );
  const extras = await readMemberExtras(
    ctx.store,
    members.map((m) => m.userId),
    { phones: includePhone },
  );
  const rows = members.map((m) => toExportRow(m, extras.get(m.userId)));
  const file = exportFile(chatId, format, renderExport(format, rows, columns));
  const size = responsePayloadBytes(rawResponse(200, file));
  if (size > limit) {
    throw tooLarge(
      chatId,
      `the export of the chat's ${members.length} members makes ${size} bytes`,
      limit,
    );
  }
  return file;
}
