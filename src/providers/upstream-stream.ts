// A streamed upstream answer, push to pull: undici's dispatch handler feeds the SSE parser as bytes
// arrive, a per-dialect translator turns each SSE event into neutral events, and the consumer pulls
// them from a queue. No Readable, no async generator per layer, and no error object (with its stack
// trace) built when a stream simply ends; the profile of the streaming path showed all three.
import { ProviderError } from '../core/errors.js';
import type { ChatStream, StreamEvent } from '../core/provider.js';
import { SseEventTooLarge, SseParser, type SseEvent } from './sse.js';
import {
  abortWhenDue,
  takeSlot,
  answerTooLarge,
  keepErrorBytes,
  noUndiciTimers,
  statusFailure,
  transportError,
  type UpstreamRequest,
  type UpstreamTarget,
} from './upstream-http.js';

/**
 * Turns one SSE event into neutral events; returns true when the answer is complete. Throws a ProviderError for a
 * broken event.
 */
export type TranslateEvent = (event: SseEvent, emit: (event: StreamEvent) => void) => boolean;

/** The queue may hold this many events before the upstream socket is paused (backpressure). */
const pauseAbove = 256;
const resumeBelow = 32;

/**
 * Opens the stream and resolves when its first event has arrived, so that a failure before the
 * first byte rejects (and the caller can fall back); later failures are thrown by the iterator.
 * Until the first event the attempt's deadline applies; after it, `idleTimeoutMs` between SSE
 * events (restarted on the clock by each event, not by comment lines: an upstream that only sends
 * `: keep-alive` is silent; and not counted while the reader holds the stream paused). Every byte
 * of the body counts against the target's maxAnswerBytes.
 */
export function openUpstreamStream(
  target: UpstreamTarget,
  request: UpstreamRequest,
  translate: TranslateEvent,
  incompleteMessage: string,
): Promise<ChatStream> {
  const providerId = target.providerId;
  const queue: StreamEvent[] = [];
  let head = 0;
  let finished = false;
  let failure: ProviderError | undefined;
  let waiter: (() => void) | undefined;
  let controller: { abort(reason?: Error): void; pause(): void; resume(): void } | undefined;
  let paused = false;
  let complete = false;
  let cancelled = false;

  const wake = (): void => {
    const resolve = waiter;
    waiter = undefined;
    resolve?.();
  };
  // A stream holds its slot of max_concurrent until its upstream body has ended.
  let releaseSlot: () => void;
  try {
    releaseSlot = takeSlot(target);
  } catch (error) {
    return Promise.reject(error);
  }
  const due = abortWhenDue(target, request, releaseSlot);
  const idleTimeoutMs = request.idleTimeoutMs ?? Number.POSITIVE_INFINITY;
  /** Once true, the idle time bounds the stream instead of the attempt's deadline. */
  let eventArrived = false;
  const fail = (error: ProviderError): void => {
    if (finished) return;
    failure = error;
    finished = true;
    due.watched.release();
    wake();
  };
  const emit = (event: StreamEvent): void => {
    eventArrived = true;
    queue.push(event);
    if (!paused && queue.length - head > pauseAbove && controller) {
      paused = true;
      // The reader is behind, not the upstream: no idle time is counted while paused.
      due.watched.move(Number.POSITIVE_INFINITY);
      controller.pause();
    }
  };
  /** Set by the parser when a chunk completed an event (a comment line is no event). */
  let eventInChunk = false;
  let received = 0;
  const parser = new SseParser((event) => {
    eventInChunk = true;
    if (complete || finished) return;
    try {
      complete = translate(event, emit);
    } catch (error) {
      fail(transportError(providerId, error));
      controller?.abort();
    }
  });

  let statusCode = 0;
  let retryAfter: string | string[] | undefined;
  const errorBody: Buffer[] = [];
  let errorSize = 0;
  const cut = (error: ProviderError): void => {
    fail(error);
    controller?.abort(error);
  };
  target.pool.dispatch(
    {
      method: 'POST',
      path: target.basePath + request.path,
      headers: request.headers,
      body: request.body,
      ...noUndiciTimers,
    },
    {
      onRequestStart(requestController) {
        controller = requestController;
        due.started(requestController);
      },
      onResponseStart(_controller, status, headers) {
        statusCode = status;
        retryAfter = headers['retry-after'];
      },
      onResponseData(_controller, chunk) {
        if (statusCode < 200 || statusCode >= 300) {
          errorSize = keepErrorBytes(errorBody, errorSize, chunk);
          return;
        }
        if (finished) return;
        received += chunk.length;
        if (received > target.maxAnswerBytes) return cut(answerTooLarge(target));
        eventInChunk = false;
        try {
          parser.feed(chunk);
        } catch (error) {
          if (!(error instanceof SseEventTooLarge)) throw error;
          return cut(
            new ProviderError(
              providerId,
              'invalid_response',
              `${providerId} answered with an SSE event longer than ${error.limit} bytes`,
            ),
          );
        }
        if (eventInChunk && eventArrived && !paused && !finished) due.watched.move(target.clock.now() + idleTimeoutMs);
        wake();
      },
      onResponseEnd() {
        if (statusCode < 200 || statusCode >= 300) {
          fail(
            statusFailure(
              providerId,
              statusCode,
              retryAfter,
              Buffer.concat(errorBody, errorSize).toString('utf8', 0, 2_000),
              target.clock.now(),
            ),
          );
          return;
        }
        if (finished) return;
        parser.end();
        if (!complete) fail(new ProviderError(providerId, 'connect', `${providerId}: ${incompleteMessage}`));
        finished = true;
        due.watched.release();
        wake();
      },
      onResponseError(_controller, error) {
        if (cancelled) {
          finished = true;
          due.watched.release();
          wake();
          return;
        }
        fail(transportError(providerId, error));
      },
    },
  );

  const next = async (): Promise<IteratorResult<StreamEvent>> => {
    for (;;) {
      if (head < queue.length) {
        const value = queue[head]!;
        queue[head] = undefined as unknown as StreamEvent;
        head += 1;
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        if (paused && queue.length - head < resumeBelow) {
          paused = false;
          if (!finished) due.watched.move(target.clock.now() + idleTimeoutMs);
          controller?.resume();
        }
        return { done: false, value };
      }
      if (failure) throw failure;
      if (finished) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (waiter = resolve));
    }
  };
  const cancel = (): void => {
    if (finished) return;
    cancelled = true;
    finished = true;
    due.watched.release();
    controller?.abort();
    wake();
  };

  return new Promise<ChatStream>((resolve, reject) => {
    const first = (): void => {
      if (head < queue.length || (finished && !failure)) {
        resolve({
          cancel,
          [Symbol.asyncIterator]: () => ({
            next,
            return: async () => {
              cancel();
              return { done: true, value: undefined };
            },
          }),
        });
      } else if (failure) {
        reject(failure);
      } else {
        waiter = first;
      }
    };
    first();
  });
}
