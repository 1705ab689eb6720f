import type { Finding } from '../detection/engine/finding.js';
import type { RoomEvent } from '../events/event.schema.js';
import type { CommittedEvent } from '../log/event-log.writer.js';
import { Pipeline } from './pipeline.js';
import type { PoisonQuarantine, RetriedRun } from './poison-quarantine.js';
import type { QuarantinedEvent } from './quarantine.repository.js';
import { type AggregateDetectionStage, type BatchContext, ContextSlot, type LedgerDetectionStage, type LiveDetectionStage, type SinkStage, type StateStage } from './stage.js';

const committed = (seq: number): CommittedEvent => ({
  seq,
  event: { id: `e-${seq}`, type: 'like', roomId: 'room', streamId: 'stream', accountId: 'a', ts: 1_764_000_000_000 + seq, count: 1 } as RoomEvent,
});
const finding = (subjectId: string): Finding => ({ subjectId }) as Finding;
const seqsOf = (events: readonly CommittedEvent[]) => events.map(({ seq }) => seq);

const COUNT = new ContextSlot<number>('event count', 'counting');

/** Every stage records what it saw into one journal, so the order is visible. */
function stages(journal: string[]) {
  const state: StateStage = {
    kind: 'state',
    name: 'counting',
    run(context) {
      journal.push(`state ${seqsOf(context.events).join(',')}`);
      context.set(COUNT, context.events.length);
      return Promise.resolve();
    },
  };
  const ledger: LedgerDetectionStage = {
    kind: 'ledger-detection',
    name: 'ledger detector',
    run(context) {
      journal.push(`ledger reads ${context.get(COUNT)}`);
      context.findings.push(finding('from-ledger'));
      return Promise.resolve();
    },
  };
  const live: LiveDetectionStage & { throwOn: Set<number> } = {
    kind: 'live-detection',
    name: 'engine',
    throwOn: new Set(),
    run(context) {
      journal.push(`live ${seqsOf(context.events).join(',')}`);
      for (const event of context.events) if (live.throwOn.has(event.seq)) context.rejected.push({ committed: event, error: new TypeError(`bad ${event.seq}`) });
      context.findings.push(finding('from-engine'));
      return Promise.resolve();
    },
    rebuild(beforeSeq) {
      journal.push(`rebuild before ${beforeSeq}`);
      return Promise.resolve();
    },
    replay(events) {
      journal.push(`replay ${seqsOf(events).join(',')}`);
    },
  };
  const stored: Finding[][] = [];
  const sink: SinkStage = {
    kind: 'sink',
    name: 'store',
    store(findings) {
      journal.push(`store ${findings.map((f) => f.subjectId).join(',')}`);
      stored.push([...findings]);
      return Promise.resolve();
    },
  };
  return { state, ledger, live, sink, stored };
}

/** The poison quarantine's contract: run the retried stages, report what it set aside. */
function poison(setAside: number[] = []) {
  const quarantined: Array<{ seq: number; attempts: number | undefined }> = [];
  const replays: number[] = [];
  const fake: Pick<PoisonQuarantine, 'handle' | 'replay' | 'quarantine'> = {
    async handle(batch: CommittedEvent[], run: RetriedRun) {
      const kept = batch.filter(({ seq }) => !setAside.includes(seq));
      return { findings: await run(kept), quarantined: new Set(setAside.filter((seq) => batch.some((c) => c.seq === seq))) };
    },
    async replay(seq: number, run: RetriedRun) {
      replays.push(seq);
      if (seq === 404) return null;
      const event = committed(seq);
      return { entry: { seq } as QuarantinedEvent, event, findings: await run([event]) };
    },
    quarantine(event: CommittedEvent, _error: unknown, attempts?: number) {
      quarantined.push({ seq: event.seq, attempts });
      return Promise.resolve();
    },
  };
  return { fake, quarantined, replays };
}

describe('the pipeline', () => {
  it('runs a batch through state, ledger detection, the live engine and the sinks, in that order, each reading what the earlier left', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink, stored } = stages(journal);
    const pipeline = new Pipeline([state, ledger, live, sink], poison().fake);
    await pipeline.run([committed(1), committed(2)]);
    expect(journal).toEqual(['state 1,2', 'ledger reads 2', 'live 1,2', 'store from-ledger,from-engine']);
    expect(stored).toHaveLength(1);
  });

  it('refuses at boot a stage listed out of order, naming it', () => {
    const { state, ledger, live, sink } = stages([]);
    expect(() => new Pipeline([state, live, ledger, sink], poison().fake)).toThrow(
      'pipeline: the ledger-detection stage "ledger detector" is listed after a live-detection stage',
    );
    expect(() => new Pipeline([sink, state], poison().fake)).toThrow('the state stage "counting" is listed after a sink stage');
  });

  it('fails loudly when a stage reads what no earlier stage left', async () => {
    const { ledger, sink } = stages([]);
    await expect(new Pipeline([ledger, sink], poison().fake).run([committed(1)])).rejects.toThrow(
      'batch context: no event count yet; the counting stage must run first',
    );
  });

  it('keeps the events the quarantine set aside from the live engine, and quarantines at once an event the engine threw on', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink } = stages(journal);
    live.throwOn.add(3);
    const { fake, quarantined } = poison([2]);
    await new Pipeline([state, ledger, live, sink], fake).run([committed(1), committed(2), committed(3)]);
    expect(journal).toContain('live 1,3');
    expect(quarantined).toEqual([{ seq: 3, attempts: 1 }]);
  });

  it('replays a quarantined event through every stage, the live engine only where this process runs it', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink } = stages(journal);
    const { fake, replays } = poison();
    const pipeline = new Pipeline([state, ledger, live, sink], fake);

    expect(await pipeline.replayQuarantined(7, { live: true })).toEqual({ seq: 7 });
    expect(journal.splice(0)).toEqual(['state 7', 'ledger reads 1', 'live 7', 'store from-ledger,from-engine']);

    await pipeline.replayQuarantined(8, { live: false });
    expect(journal.splice(0)).toEqual(['state 8', 'ledger reads 1', 'store from-ledger']);

    expect(await pipeline.replayQuarantined(404, { live: true })).toBeNull();
    expect(journal).toEqual([]);
    expect(replays).toEqual([7, 8, 404]);
  });

  it('stores what a replay reveals even when the live engine throws on the event again, without quarantining it twice', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink, stored } = stages(journal);
    live.throwOn.add(7);
    const { fake, quarantined } = poison();
    await new Pipeline([state, ledger, live, sink], fake).replayQuarantined(7, { live: true });
    // What the engine had drained is kept too: it would be lost otherwise.
    expect(stored.at(-1)!.map((f) => f.subjectId)).toEqual(['from-ledger', 'from-engine']);
    // Already quarantined: not set aside a second time.
    expect(quarantined).toEqual([]);
  });

  it('runs batches and replays one at a time, in the order they came', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink } = stages(journal);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: StateStage = {
      kind: 'state',
      name: 'slow',
      async run(context: BatchContext) {
        if (context.events[0]!.seq === 1) await gate;
      },
    };
    const pipeline = new Pipeline([slow, state, ledger, live, sink], poison().fake);
    const batch = pipeline.run([committed(1)]);
    const replay = pipeline.replayQuarantined(9, { live: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(journal).toEqual([]);
    release();
    await Promise.all([batch, replay]);
    expect(journal.filter((line) => line.startsWith('state'))).toEqual(['state 1', 'state 9']);
  });

  it('runs the aggregate detectors after the sinks, on every finding the batch stored, and stores theirs in turn', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink, stored } = stages(journal);
    const rings: AggregateDetectionStage = {
      kind: 'aggregate-detection',
      name: 'rings',
      run(context) {
        journal.push(`rings read ${context.findings.map((f) => f.subjectId).join(',')}`);
        context.findings.push(finding('ring-1'));
        return Promise.resolve();
      },
    };
    await new Pipeline([state, ledger, live, sink, rings], poison().fake).run([committed(1)]);
    expect(journal).toEqual(['state 1', 'ledger reads 1', 'live 1', 'store from-ledger,from-engine', 'rings read from-ledger,from-engine', 'store ring-1']);
    expect(stored.map((batch) => batch.map((f) => f.subjectId))).toEqual([['from-ledger', 'from-engine'], ['ring-1']]);
    expect(() => new Pipeline([state, rings, sink], poison().fake)).toThrow('the sink stage "store" is listed after a aggregate-detection stage');
  });

  it('lets an outage in an aggregate detector throw (the batch comes again) and logs any other error without stalling the log', async () => {
    const { state, sink, stored } = stages([]);
    let failure: Error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const rings: AggregateDetectionStage = {
      kind: 'aggregate-detection',
      name: 'rings',
      run: () => Promise.reject(failure),
    };
    const pipeline = new Pipeline([state, sink, rings], poison().fake);
    await expect(pipeline.run([committed(1)])).rejects.toThrow('ECONNREFUSED');
    failure = new TypeError('a bug');
    await expect(pipeline.run([committed(2)])).resolves.toBeUndefined();
    expect(stored.flat()).toEqual([]);
  });

  it('rebuilds and replays the live stages only: the state is durable already', async () => {
    const journal: string[] = [];
    const { state, ledger, live, sink } = stages(journal);
    const pipeline = new Pipeline([state, ledger, live, sink], poison().fake);
    await pipeline.rebuild(40);
    pipeline.replay([committed(40), committed(41)]);
    expect(journal).toEqual(['rebuild before 40', 'replay 40,41']);
  });
});
