import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

/** Who holds a lock or a work area: a process (with its start time) on a host. */
export interface ProcessIdentity {
  readonly pid: number;
  /** A short hash of the host name. */
  readonly host: string;
  /** When the process started, in milliseconds since the epoch (a pid may be reused, e.g. in containers). */
  readonly started: number;
}

// two readings of the start time of one process differ by rounding only
const START_TOLERANCE_MS = 2000;

/**
 * The running process.
 *
 * @example
 * ```ts
 * const me = currentProcess(); // { pid: 4242, host: '1a2b3c4d', started: 1700000000000 }
 * ```
 */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: hostTag(), started: Math.round(Date.now() - process.uptime() * 1000) };
}

/**
 * A short, file-name-safe tag of this host's name.
 *
 * @example
 * ```ts
 * const dir = `.work-${hostTag()}-${process.pid}`;
 * ```
 */
export function hostTag(): string {
  return createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
}

/**
 * Tells whether `owner` is certainly gone. Only a process on this host can be checked; one elsewhere is
 * assumed alive. Our own pid with another start time is a previous process that had the same pid.
 *
 * @example
 * ```ts
 * if (isProcessGone(holder)) await breakLock();
 * ```
 */
export function isProcessGone(owner: ProcessIdentity): boolean {
  if (owner.host !== hostTag()) return false;
  if (owner.pid === process.pid) return Math.abs(owner.started - currentProcess().started) > START_TOLERANCE_MS;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as { code?: unknown } | null)?.code === 'ESRCH';
  }
}
