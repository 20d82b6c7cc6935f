// SPDX-License-Identifier: BSD-3-Clause

/** Throws the signal's AbortError (a DOMException named 'AbortError') when it has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof Error && reason.name === 'AbortError') throw reason;
    throw new DOMException('The DVH calculation was aborted.', 'AbortError');
  }
}
