/**
 * The one way a test waits: until what it needs is true, checked every `everyMs`, for at most `ms`. It
 * returns as soon as the check holds, so a generous limit costs a passing run nothing; a check that throws
 * counts as not yet (a server not up, a file not written). Never a fixed sleep.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** The longest wait (default 10 s: loaded CI machines run the suite three times slower than this one). */
  ms?: number;
  /** How often the check runs (default 20 ms). */
  everyMs?: number;
}

/** Whether `check` held within the time. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  opts: WaitOptions | number = {},
): Promise<boolean> {
  const { ms = 10_000, everyMs = 20 } = typeof opts === 'number' ? { ms: opts } : opts;
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() >= end) return false;
    await sleep(everyMs);
  }
}

/** As eventually(), but a check that never held fails the test with `what`. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  opts: WaitOptions | number = {},
): Promise<void> {
  if (!(await eventually(check, opts))) throw new Error(`timed out waiting until ${what}`);
}
