import type { ProgressEvent } from '@ferry/types';

/** How `ferry copy` shows progress on stderr. */
export type ProgressMode = 'bars' | 'lines' | 'json' | 'none';

/** Receives the copy's report lines and progress events and shows them. */
export interface ProgressRenderer {
  /** A line of the copy report ("Copying blob sha256:…"). */
  report(line: string): void;
  /** A progress event. */
  event(event: ProgressEvent): void;
  /** Draws the final state; call once when the copy ends (successfully or not). */
  finish(): void;
}

/** Renders JSON lines: one event per line, digests and numbers only (never credentials). */
export function jsonRenderer(write: (text: string) => void): ProgressRenderer {
  return {
    report: () => {},
    event(event) {
      const base =
        event.type === 'manifest'
          ? { type: event.type, digest: event.digest }
          : { type: event.type, digest: event.artifact.digest, size: event.artifact.size, transfer: event.transferId };
      const extra =
        event.type === 'read'
          ? { offset: event.offset, delta: event.delta }
          : event.type === 'done'
            ? { offset: event.offset }
            : {};
      const instance = event.instance === undefined ? {} : { instance: event.instance };
      write(`${JSON.stringify({ ...base, ...extra, ...instance })}\n`);
    },
    finish: () => {},
  };
}

/** Renders the report as plain lines, as skopeo does when its output is not a terminal. */
export function linesRenderer(write: (text: string) => void): ProgressRenderer {
  return {
    report: (line) => write(`${line}\n`),
    event: () => {},
    finish: () => {},
  };
}

/** Shows nothing (`-q`). */
export function silentRenderer(): ProgressRenderer {
  return { report: () => {}, event: () => {}, finish: () => {} };
}
