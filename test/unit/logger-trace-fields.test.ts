import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { capturingLogger } from '../helpers/logs';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

function inSpan(work: () => void, traceFlags = TraceFlags.SAMPLED): void {
  const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags });
  context.with(trace.setSpan(context.active(), span), work);
}

describe('log lines and traces join', () => {
  it('writes the trace and span id of the span a line is written in', async () => {
    const { logger, lines } = capturingLogger();
    inSpan(() => logger.info({ requestId: 'r_1' }, 'inside'));
    // Also after an await inside the span: the context follows the async work.
    await new Promise<void>((resolve) =>
      inSpan(() => {
        void Promise.resolve().then(() => {
          logger.child({ kind: 'completed' }).warn('after an await');
          resolve();
        });
      }),
    );
    const [inside, later] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({
      msg: 'inside',
      requestId: 'r_1',
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      trace_flags: '01',
    });
    expect(later).toMatchObject({ msg: 'after an await', kind: 'completed', trace_id: TRACE_ID });
  });

  it('writes no trace fields outside a span, and keeps the line its own fields', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ requestId: 'r_2', trace_id: 'not-ours' }, 'outside');
    logger.info('bare');
    const [outside, bare] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outside).toMatchObject({ requestId: 'r_2', trace_id: 'not-ours' });
    expect(outside).not.toHaveProperty('span_id');
    expect(Object.keys(bare!).filter((name) => name.startsWith('trace') || name === 'span_id')).toEqual([]);
  });

  it('writes an unsampled trace too (its flags say so)', () => {
    const { logger, lines } = capturingLogger();
    inSpan(() => logger.info('unsampled'), TraceFlags.NONE);
    expect(JSON.parse(lines[0]!)).toMatchObject({ trace_id: TRACE_ID, trace_flags: '00' });
  });
});
