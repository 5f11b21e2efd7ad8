/**
 * Paces broadcast sends under Telegram's limits: at most `rate` message starts in any window
 * of `windowMs` overall, at most one per chat per window, and none while Telegram asked to
 * wait (429 `retry_after`). Starts are spaced evenly, (window + guard) / rate apart, so any
 * window holds at most `rate` of them even when each request reaches Telegram a few
 * milliseconds late or early (the guard) and nothing goes out in bursts.
 *
 * Two steps, because a worker does store work between them (check, claim) whose time varies:
 * - `slot` spaces the workers out in the order they ask (the long waits: the pace, a chat's
 *   second, a pause), before anything is claimed;
 * - `gate`, after the claim, holds the starts to the same spacing (a short wait, when the
 *   store answered one worker faster than the one before it);
 * - `start`, right before the request (after the recipient's eligibility read, whose time
 *   varies too), holds the request itself one interval after the previous request: a slow
 *   read followed by a fast one would otherwise put two requests closer than the spacing,
 *   and a window could hold more than `rate` (the broadcast simulation found five in a
 *   second at a rate of 4).
 * The clock and the sleep are injected (tests run on a fake clock).
 */

export interface PacerOptions {
  /** Starts per window, overall. */
  rate: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  windowMs?: number;
  /** Slack for the network's jitter, added to the window. */
  guardMs?: number;
  /** Epoch ms before which nothing starts (the previous sender's pace, a pause). */
  notBefore?: number;
}

export interface Pacer {
  /**
   * Waits for a slot for a message to `chatId` and returns its time; undefined when none is
   * free before `deadline` (nothing was reserved: send nothing).
   */
  slot(chatId: number, deadline?: number): Promise<number | undefined>;
  /**
   * Waits until the request itself may start (the spacing of actual starts, the chat's
   * second, a pause) and counts it; false when that is not before `deadline`.
   */
  gate(chatId: number, deadline?: number): Promise<boolean>;
  /**
   * The request's own start: waits until one interval after the previous request's start
   * (a short wait) and counts the chat's second from here; false, with nothing counted, when
   * a pause came meanwhile or the start is not before `deadline` (give the claim back).
   */
  start(chatId: number, deadline?: number): Promise<boolean>;
  /** Nothing starts before `until` (Telegram's retry_after). */
  pause(until: number): void;
  /**
   * When the second of the last chat messaged ends (epoch ms; 0: none yet): a sender taking
   * over starts nothing before it, so each chat's second holds across senders without handing
   * over which chats they were (a private chat's id is its user's).
   */
  readonly chatsQuietUntil: number;
  /** Epoch ms of the next free slot: where a sender taking over must start. */
  readonly nextFree: number;
  readonly pausedUntil: number;
  /** Requests let through the gate so far. */
  readonly given: number;
}

export const DEFAULT_WINDOW_MS = 1000;
export const DEFAULT_GUARD_MS = 25;
/** Chats remembered before old entries are dropped. */
const MAX_CHATS = 10_000;

export function createPacer(options: PacerOptions): Pacer {
  const window = options.windowMs ?? DEFAULT_WINDOW_MS;
  const spacing = window + (options.guardMs ?? DEFAULT_GUARD_MS);
  const interval = spacing / options.rate;
  const { now, sleep } = options;
  let next = options.notBefore ?? Number.NEGATIVE_INFINITY;
  let gateNext = next;
  let pausedUntil = options.notBefore ?? 0;
  let given = 0;
  /** When the last request started (`start`). */
  let lastStart = Number.NEGATIVE_INFINITY;
  /** When each chat's last request started. */
  const lastByChat = new Map<number, number>();

  function forgetOld(at: number) {
    if (lastByChat.size < MAX_CHATS) return;
    for (const [chat, last] of lastByChat) if (last + spacing <= at) lastByChat.delete(chat);
  }

  const chatReady = (chatId: number) =>
    (lastByChat.get(chatId) ?? Number.NEGATIVE_INFINITY) + spacing;

  async function slot(chatId: number, deadline = Number.POSITIVE_INFINITY) {
    for (;;) {
      const t = now();
      // This chat's last message, or a pause, comes first: wait without taking a slot.
      const ready = Math.max(chatReady(chatId), pausedUntil);
      if (ready > t) {
        if (ready >= deadline) return undefined;
        await sleep(ready - t);
        continue;
      }
      const at = Math.max(t, next);
      if (at >= deadline) return undefined;
      next = at + interval;
      if (at > t) await sleep(at - t);
      // A pause that came while waiting holds this start back too.
      if (now() < pausedUntil) continue;
      return at;
    }
  }

  async function gate(chatId: number, deadline = Number.POSITIVE_INFINITY) {
    for (;;) {
      const t = now();
      const at = Math.max(t, gateNext, chatReady(chatId), pausedUntil);
      if (at >= deadline) return false;
      if (at > t) {
        // Looked at again after the wait: another worker may have started meanwhile.
        await sleep(at - t);
        continue;
      }
      gateNext = t + interval;
      next = Math.max(next, gateNext);
      lastByChat.set(chatId, t);
      forgetOld(t);
      given++;
      return true;
    }
  }

  async function start(chatId: number, deadline = Number.POSITIVE_INFINITY) {
    for (;;) {
      const t = now();
      if (pausedUntil > t) return false;
      const at = Math.max(t, lastStart + interval);
      if (at >= deadline) return false;
      if (at > t) {
        await sleep(at - t);
        continue;
      }
      lastStart = t;
      gateNext = Math.max(gateNext, t + interval);
      next = Math.max(next, gateNext);
      lastByChat.set(chatId, Math.max(lastByChat.get(chatId) ?? t, t));
      return true;
    }
  }

  return {
    slot,
    gate,
    start,
    pause(until: number) {
      pausedUntil = Math.max(pausedUntil, until);
      next = Math.max(next, until);
      gateNext = Math.max(gateNext, until);
    },
    get chatsQuietUntil() {
      let last = Number.NEGATIVE_INFINITY;
      for (const at of lastByChat.values()) last = Math.max(last, at);
      return Number.isFinite(last) ? last + spacing : 0;
    },
    get nextFree() {
      return Math.max(gateNext, pausedUntil);
    },
    get pausedUntil() {
      return pausedUntil;
    },
    get given() {
      return given;
    },
  };
}
