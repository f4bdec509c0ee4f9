// Log lines reach stdout in batches rather than one write each: under load,
// one write (a system call, and a wake-up of whoever reads a pipe: a
// container runtime, a log shipper) for a dozen requests instead of one each.
// Batches are whole lines of at most PIPE_BUF bytes, so that the writes of
// processes sharing one pipe (worker processes) never cut into each other's
// lines.

import { writeSync } from 'node:fs';

/** Linux's PIPE_BUF: writes of up to this many bytes to a pipe are never interleaved with another's. */
export const maxBatchBytes = 4096;

/** The longest a line waits before it is written: short enough for `tail -f`, long enough to fill batches under load. */
export const maxLineWaitMs = 100;

export interface LineBuffer {
  /** Takes one log line (ending with a newline). */
  write(line: string): void;
  /** Writes what is waiting, now; then calls `done` (pino's `logger.flush(done)` comes here). */
  flush(done?: () => void): void;
}

/** Lines for `out`, written whole in batches of up to `maxBatchBytes`, none waiting longer than `waitMs`. */
export function createLineBuffer(out: (chunk: string) => void, waitMs = maxLineWaitMs): LineBuffer {
  let waiting = '';
  let waitingBytes = 0;
  let timer: NodeJS.Timeout | undefined;

  const writeWaiting = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (waiting === '') return;
    const batch = waiting;
    waiting = '';
    waitingBytes = 0;
    out(batch);
  };

  return {
    write(line) {
      const bytes = Buffer.byteLength(line);
      if (waitingBytes + bytes > maxBatchBytes) writeWaiting();
      // A line too long for any batch goes out alone, after the lines before it.
      if (bytes >= maxBatchBytes) {
        out(line);
        return;
      }
      waiting += line;
      waitingBytes += bytes;
      // Armed only while lines wait: an idle gateway is never woken by its log.
      timer ??= setTimeout(writeWaiting, waitMs).unref();
    },
    flush(done) {
      writeWaiting();
      done?.();
    },
  };
}

let stdoutBuffer: LineBuffer | undefined;

/**
 * One buffer for the process's stdout, however many loggers write to it,
 * emptied when the process exits (an uncaught error included).
 */
export function bufferedStdout(): LineBuffer {
  if (stdoutBuffer === undefined) {
    const buffer = createLineBuffer((batch) => writeWhole(stdoutFd, batch));
    process.once('exit', () => buffer.flush());
    stdoutBuffer = buffer;
  }
  return stdoutBuffer;
}

const stdoutFd = 1;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `batch` now, with the system's own write (Node's
 * process.stdout queues in memory whatever a pipe cannot take at once, and
 * may join queued writes into one larger than a pipe keeps whole). A pipe
 * that is full (a reader that stopped reading) makes the gateway wait, not
 * grow. A reader that went away (EPIPE), or any other failure, costs the
 * log, never the process.
 */
function writeWhole(fd: number, batch: string): void {
  let bytes = Buffer.from(batch);
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      // A non-blocking pipe that is full: wait a millisecond and try again.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
