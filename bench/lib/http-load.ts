import autocannon from 'autocannon';

/** One HTTP request the load generator sends. */
export interface LoadRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface LoadOptions {
  /** e.g. `http://127.0.0.1:41234/sns`. */
  readonly url: string;
  readonly requests: readonly LoadRequest[];
  readonly connections: number;
  /**
   * `{ seconds }`: run that long, cycling through `requests`; with `unique`, stop early rather than
   * send any request twice (thaw would take a repeat as a duplicate, a cheaper path).
   * `{ once: true }`: send every request exactly once, then stop.
   */
  readonly run: { readonly seconds: number; readonly unique?: boolean } | { readonly once: true };
}

export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors and time-outs. */
  readonly errors: number;
  /** From the first request to the last response, seconds. */
  readonly seconds: number;
  /** 2xx answers per second. */
  readonly okPerSecond: number;
  /** Latency of 2xx answers, ms (autocannon's histogram). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** True when a `unique` run stopped because every request had been sent once. */
  readonly exhausted: boolean;
  /** Requests sent again after a `unique` pool ran out (not counted in `ok` or the rate). */
  readonly repeats: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/**
 * autocannon as a library, in the bench process: `connections` keep-alive connections, one request
 * in flight on each (SNS does not pipeline), every request taken in turn from `requests` through
 * setupRequest, so each carries its own pre-signed body.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { requests } = options;
  if (requests.length === 0) throw new Error('runLoad: no requests');
  const once = 'once' in options.run;
  const unique = !once && 'unique' in options.run && options.run.unique === true;
  const connections = Math.max(1, Math.min(options.connections, once ? requests.length : Infinity));
  let next = 0;
  let exhausted = false;
  let ok = 0;
  let firstAt = 0;
  let lastAt = 0;

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections,
        pipelining: 1,
        ...(once ? { amount: requests.length } : { duration: (options.run as { seconds: number }).seconds }),
        // autocannon acts on `stop` at its sampling tick; 100 ms keeps the end of a run sharp.
        sampleInt: 100,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const chosen = requests[next % requests.length] as LoadRequest;
              next += 1;
              if (unique && next >= requests.length && !exhausted) {
                exhausted = true;
                instance.stop();
              }
              return { ...request, body: chosen.body, headers: chosen.headers };
            },
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('start', () => (firstAt = performance.now()));
    instance.on('response', (_client, statusCode) => {
      // After a unique pool ran out, answers may be to repeats: the measurement has ended.
      if (exhausted) return;
      lastAt = performance.now();
      if (statusCode >= 200 && statusCode < 300) ok += 1;
    });
  });

  const seconds = Math.max((lastAt - firstAt) / 1000, 1e-3);
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = stats.count ?? 0;
  return {
    sent: next,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds,
    okPerSecond: ok / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    exhausted,
    repeats: Math.max(0, next - requests.length),
    statusCodes,
  };
}
