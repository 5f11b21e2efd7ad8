import { describe, expect, it } from 'vitest';
import {
  describeUpdate,
  formatRequestLine,
  logFormatOf,
} from '../../../scripts/local/request-log.ts';
import { loadUpdate } from '../../fixtures/updates.ts';

describe('local request lines', () => {
  it('are human on a terminal, JSON in a pipe, and LOG_FORMAT decides when set', () => {
    expect(logFormatOf({}, true)).toBe('human');
    expect(logFormatOf({}, false)).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'human' }, false)).toBe('human');
  });

  it('name the update kind, a command, or what a message carries', () => {
    const kind = (name: string) => describeUpdate(JSON.stringify(loadUpdate(name)));
    expect(kind('start-command')).toBe('message /start');
    expect(kind('group-message')).toBe('message');
    expect(kind('contact-own')).toBe('message contact');
    expect(kind('new-chat-members')).toBe('message new_chat_members');
    expect(kind('chat-member-admin')).toBe('chat_member');
    expect(kind('edited-message')).toBe('edited_message');
    expect(describeUpdate('not json')).toBeUndefined();
    expect(describeUpdate('{"update_id":1}')).toBeUndefined();
  });

  it('hold no phone number or message text', () => {
    const contact = loadUpdate('contact-own') as { message: { contact: { phone_number: string } } };
    const line = formatRequestLine({
      method: 'POST',
      path: '/telegram/webhook',
      status: 200,
      ms: 3.4,
      update: describeUpdate(JSON.stringify(contact)),
    });
    expect(line).toMatch(/^\d\d:\d\d:\d\d POST \/telegram\/webhook 200 3 ms message contact$/);
    expect(line).not.toContain(contact.message.contact.phone_number.replace(/\D/g, '').slice(-4));
  });
});
