// SPDX-License-Identifier: BSD-3-Clause

/** Throws the signal's AbortError (a DOMException named 'AbortError') when it has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof Error && reason.name === 'AbortError') throw reason;
    throw new DOMException('The DVH calculation was aborted.', 'AbortError');
  }
}

/** Lets timers, I/O and signal handlers run; setImmediate where it exists (Node, Deno), else a zero timeout. */
function nextMacrotask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/**
 * A checkpoint for long CPU work: when more than `intervalMs` have passed since the last yield it
 * gives the event loop a turn (so an abort from a timer, a UI event or Ctrl-C can arrive), then
 * throws the AbortError if the signal has fired. Cheap to call often.
 */
export function createCheckpoint(signal: AbortSignal | undefined, intervalMs = 10): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last >= intervalMs) {
      await nextMacrotask();
      last = performance.now();
    }
    throwIfAborted(signal);
  };
}
