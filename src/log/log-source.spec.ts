import type { RoomEvent } from '../events/event.schema.js';
import type { PartitionCheckpoint } from './event-log.repository.js';
import type { CommittedEvent } from './event-log.writer.js';
import { type LogFollower, LocalLogSource, RemoteLogSource, logSourceFor } from './log-source.js';

const committed = (seq: number): CommittedEvent => ({ seq, event: { id: `e-${seq}` } as RoomEvent });

/** The writer, the commit notices and the table, each recording what it was asked. */
function parts() {
  const commitListeners: Array<(batch: CommittedEvent[]) => void> = [];
  const gapListeners: Array<() => void> = [];
  const advanceListeners: Array<() => void> = [];
  const published: number[] = [];
  const reads: Array<[number, number]> = [];
  return {
    commitListeners,
    gapListeners,
    advanceListeners,
    published,
    reads,
    writer: {
      onCommitted: (listener: (batch: CommittedEvent[]) => void) => {
        commitListeners.push(listener);
        return () => commitListeners.splice(commitListeners.indexOf(listener), 1);
      },
      onGap: (listener: () => void) => {
        gapListeners.push(listener);
        return () => gapListeners.splice(gapListeners.indexOf(listener), 1);
      },
      safeSeq: () => 4095,
    },
    notices: {
      onAdvance: (listener: () => void) => {
        advanceListeners.push(listener);
        return () => advanceListeners.splice(advanceListeners.indexOf(listener), 1);
      },
      readBound: () => 8191,
      publishProcessed: (seq: number) => {
        published.push(seq);
        return Promise.resolve();
      },
    },
    log: {
      readRange: (after: number, upTo: number) => {
        reads.push([after, upTo]);
        return Promise.resolve([committed(after + 1)]);
      },
      readPartitions: (after: number, upTo: number, partitions: readonly number[]) => {
        reads.push([after, upTo]);
        return Promise.resolve([{ ...committed(after + 1), partition: partitions[0] ?? 0 }]);
      },
      countRange: (after: number, upTo: number, cap: number) => Promise.resolve(Math.min(cap, upTo - after)),
      countPartitions: (after: readonly PartitionCheckpoint[], upTo: number, cap: number) =>
        Promise.resolve(Math.min(cap, after.reduce((sum, p) => sum + upTo - p.afterSeq, 0))),
    },
  };
}

/** A follower that writes down what it heard. */
function follower() {
  const heard: string[] = [];
  const subject: LogFollower = {
    committed: (batch) => heard.push(`committed ${batch.map(({ seq }) => seq).join(',')}`),
    gap: () => heard.push('gap'),
    advanced: () => heard.push('advanced'),
  };
  return { subject, heard };
}

describe('log sources', () => {
  it('follows no log in an ingest-only process, the notices in a detect process, and its own writer otherwise', () => {
    const all = parts();
    expect(logSourceFor('ingest', all)).toBeNull();
    expect(logSourceFor('detect', all)).toBeInstanceOf(RemoteLogSource);
    expect(logSourceFor('all', all)).toBeInstanceOf(LocalLogSource);
  });

  it('local: hands over what the writer commits and tells of gaps, reading up to its safe seq, until unfollowed', async () => {
    const all = parts();
    const source = new LocalLogSource(all.writer, all.log);
    const { subject, heard } = follower();
    const stop = source.follow(subject);
    all.commitListeners.forEach((listener) => listener([committed(1), committed(2)]));
    all.gapListeners.forEach((listener) => listener());
    expect(heard).toEqual(['committed 1,2', 'gap']);
    expect(source.readBound()).toBe(4095);
    expect(await source.read(10, 20)).toEqual([committed(11)]);
    expect(all.reads).toEqual([[10, 20]]);
    source.publishProcessed(2);
    expect(all.published).toEqual([]);
    stop();
    expect(all.commitListeners).toHaveLength(0);
    expect(all.gapListeners).toHaveLength(0);
  });

  it('remote: wakes on commit notices, reads up to the writers’ bound from the table and publishes its progress', async () => {
    const all = parts();
    const source = new RemoteLogSource(all.notices, all.log);
    const { subject, heard } = follower();
    const stop = source.follow(subject);
    all.advanceListeners.forEach((listener) => listener());
    expect(heard).toEqual(['advanced']);
    expect(source.readBound()).toBe(8191);
    expect(await source.read(0, 5)).toEqual([committed(1)]);
    source.publishProcessed(5);
    expect(all.published).toEqual([5]);
    stop();
    expect(all.advanceListeners).toHaveLength(0);
  });
});
