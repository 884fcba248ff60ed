import { formatBytes } from './format-bytes.ts';
import type { ProgressRenderer } from './progress-renderer.ts';

interface Bar {
  readonly label: string;
  readonly size: number | undefined;
  offset: number;
  state: 'active' | 'done' | 'skipped';
}

const WIDTH = 30;
const REDRAW_MS = 100;

/**
 * Live bars on a terminal: one line per blob and a total line, redrawn in place at most ten times a second.
 * Report lines scroll above the bars.
 */
export function barRenderer(write: (text: string) => void, now: () => number = Date.now): ProgressRenderer {
  const bars = new Map<number, Bar>();
  let drawn = 0;
  let lastDraw = 0;
  const draw = (force: boolean) => {
    if (!force && now() - lastDraw < REDRAW_MS) return;
    lastDraw = now();
    let out = drawn > 0 ? `\x1b[${drawn}A` : '';
    const lines = [...bars.values()].map(formatBar);
    lines.push(formatTotal([...bars.values()]));
    for (const line of lines) out += `\x1b[2K${line}\n`;
    drawn = lines.length;
    write(out);
  };
  return {
    report(line) {
      // blob lines are shown as bars; other report lines scroll above them
      if (line.startsWith('Copying blob ') || line.startsWith('Copying config ')) return;
      const up = drawn > 0 ? `\x1b[${drawn}A\x1b[J` : '';
      drawn = 0;
      write(`${up}${line}\n`);
      if (bars.size > 0) draw(true);
    },
    event(event) {
      if (event.type === 'manifest') return;
      const short = event.artifact.digest.slice(0, 19);
      const bar = bars.get(event.transferId) ?? {
        label: short,
        size: event.artifact.size,
        offset: 0,
        state: 'active' as const,
      };
      bars.set(event.transferId, bar);
      if (event.type === 'read') bar.offset = event.offset;
      if (event.type === 'done') {
        bar.offset = event.offset;
        bar.state = 'done';
      }
      if (event.type === 'skipped') bar.state = 'skipped';
      draw(event.type !== 'read');
    },
    finish: () => {
      if (bars.size > 0) draw(true);
    },
  };
}

function formatBar(bar: Bar): string {
  if (bar.state === 'skipped') return `${bar.label} skipped: already exists`;
  const total = bar.size ?? 0;
  const fraction = total > 0 ? Math.min(1, bar.offset / total) : bar.state === 'done' ? 1 : 0;
  const filled = Math.round(fraction * WIDTH);
  const sizes = `${formatBytes(bar.offset)} / ${total > 0 ? formatBytes(total) : '?'}`;
  return `${bar.label} [${'='.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${sizes}${bar.state === 'done' ? ' done' : ''}`;
}

function formatTotal(bars: readonly Bar[]): string {
  const done = bars.filter((b) => b.state !== 'active').length;
  const bytes = bars.reduce((sum, b) => sum + b.offset, 0);
  return `total: ${done}/${bars.length} blobs, ${formatBytes(bytes)}`;
}
