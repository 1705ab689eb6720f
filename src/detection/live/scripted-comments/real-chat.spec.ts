import fs from 'node:fs';
import path from 'node:path';
import type { RoomEvent } from '../../../events/event.schema.js';
import { accountFindings, roomFindings, runEngine } from '../../../../test/support/detection/traffic.js';

/**
 * Real, organic live chat (shared/data/real-chat, see its README) replayed as
 * the comments of one room. These logs carry no device, IP or account-age
 * data, as part of a real platform's traffic does not; fast entertainment
 * chat copies itself constantly ("rip" waves, "LUL", "+2"). None of it is a
 * scripted campaign, so no room finding may come out.
 */
const folder = path.resolve(process.cwd(), '../shared/data/real-chat');
const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => name.endsWith('.ndjson')).sort() : [];

interface ChatLine {
  ts: number;
  user: string;
  text: string;
}

function replayAsRoom(file: string): RoomEvent[] {
  const lines = fs
    .readFileSync(path.join(folder, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as ChatLine);
  const roomId = file.replace(/\.ndjson$/, '');
  const streamId = `${roomId}-replay`;
  const events: RoomEvent[] = [];
  const joined = new Set<string>();
  let seq = 0;
  const base = (ts: number) => ({ id: `${streamId}-${seq++}`, roomId, streamId, ts });
  events.push({ ...base(lines[0].ts - 60_000), type: 'stream.started', merchantId: 'real-chat' });
  for (const line of lines) {
    if (!joined.has(line.user)) {
      joined.add(line.user);
      events.push({ ...base(line.ts - 1_000), type: 'viewer.joined', accountId: line.user });
    }
    const text = [...line.text].slice(0, 500).join('');
    if (text.length > 0) events.push({ ...base(line.ts), type: 'comment', accountId: line.user, text });
  }
  events.push({ ...base(lines[lines.length - 1].ts + 1_000), type: 'stream.ended' });
  return events;
}

describe('real live chat', () => {
  it('finds the real-chat logs beside the repository', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('keeps the organic chat of %s free of scripted-comment findings, room or account', (file) => {
    const events = replayAsRoom(file);

    const { findings, engine } = runEngine(events);

    expect(engine.stats().eventsProcessed).toBe(events.length);
    expect(roomFindings(findings, 'scripted_comments')).toEqual([]);
    // Nor any account: someone pasting one line as fast as the chat's slow mode lets them is still a person.
    expect(accountFindings(findings, 'scripted_comments').map((f) => `${f.subjectId}: ${f.summary}`)).toEqual([]);
  });
});
