import type { StreamView } from '../engine/detector.js';
import type { ViewerProfile } from './viewer-profile.js';

/**
 * Notes one room detector leaves for another within one stream: today, the
 * accounts a scripted-comments verdict named, so injected-viewers can treat
 * their talk as the script's rather than as proof of a person (issue 18).
 *
 * Keyed by the stream's view object, so a board lives exactly as long as the
 * stream's state. A reader only takes notes made strictly before the event
 * time it decides at (`scriptedBefore`), which makes the outcome the same
 * whichever detector the engine runs first at a window close.
 */
export class StreamBoard {
  /** Accounts named by scripted-comments, in the order they were named (each once). */
  readonly scripted: ViewerProfile[] = [];

  /** Marks the account as scripted from event time `at` on; a later verdict keeps the first time. */
  noteScripted(profile: ViewerProfile, at: number): void {
    if (profile.scriptedAt >= 0) return;
    profile.scriptedAt = at;
    this.scripted.push(profile);
  }
}

const boards = new WeakMap<StreamView, StreamBoard>();

export function boardOf(stream: StreamView): StreamBoard {
  let board = boards.get(stream);
  if (board === undefined) {
    board = new StreamBoard();
    boards.set(stream, board);
  }
  return board;
}
