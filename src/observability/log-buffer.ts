// Log lines reach stdout in batches rather than one write each: under load,
// one write (a system call, and a wake-up of whoever reads a pipe: a
// container runtime, a log shipper) for a dozen requests instead of one each.
// Batches are whole lines of at most PIPE_BUF bytes, so that the writes of
// processes sharing one pipe (worker processes) never cut into each other's
// lines.

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
 * emptied when the process exits (an uncaught error included). Node writes
 * to a pipe or a file synchronously on Linux, so nothing else queues in
 * memory. A reader that went away (EPIPE) costs the log, never the process.
 */
export function bufferedStdout(): LineBuffer {
  if (stdoutBuffer === undefined) {
    process.stdout.on('error', () => {});
    const buffer = createLineBuffer((chunk) => process.stdout.write(chunk));
    process.once('exit', () => buffer.flush());
    stdoutBuffer = buffer;
  }
  return stdoutBuffer;
}
