/**
 * What `npm run ingest` shows: a progress bar redrawn in place on a terminal, plain lines
 * otherwise (a log, CI), and the final table of documents.
 */

export interface Progress {
  total: number;
  succeeded: number;
  failed: number;
}

export interface ReportRow {
  name: string;
  status: string;
  detail: string;
}

const BAR_WIDTH = 30;

export class ProgressView {
  private lastLine = '';
  private lastPercent = -1;

  constructor(private readonly out: NodeJS.WriteStream) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /** The bar (terminal), or a line each time the percent moves (not a terminal). */
  update(p: Progress): void {
    const done = p.succeeded + p.failed;
    const percent = p.total === 0 ? 100 : Math.floor((done * 100) / p.total);
    if (this.tty) {
      const filled = Math.round((percent / 100) * BAR_WIDTH);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}%  ${done}/${p.total}  indexed ${p.succeeded}, failed ${p.failed}`;
      if (line !== this.lastLine) this.out.write(`\r${line}`);
      this.lastLine = line;
    } else if (percent !== this.lastPercent) {
      this.out.write(`progress ${percent}% (${done}/${p.total}: indexed ${p.succeeded}, failed ${p.failed})\n`);
    }
    this.lastPercent = percent;
  }

  /** A line about one document (not on a terminal, where the bar says it). */
  document(name: string, status: string, error?: { code: string; message: string }): void {
    if (this.tty) return;
    this.out.write(`${status === 'error' ? 'failed' : status} ${name}${error ? `: ${error.code}: ${error.message}` : ''}\n`);
  }

  /** A message, below the bar on a terminal. */
  say(message: string): void {
    this.end();
    this.out.write(`${message}\n`);
  }

  end(): void {
    if (this.tty && this.lastLine) this.out.write('\n');
    this.lastLine = '';
  }
}

/** The documents as an aligned table: name, status, and the error (or the segment count). */
export function renderTable(rows: readonly ReportRow[]): string {
  const header: ReportRow = { name: 'DOCUMENT', status: 'STATUS', detail: 'DETAIL' };
  const all = [header, ...rows];
  const w1 = Math.min(60, Math.max(...all.map((r) => r.name.length)));
  const w2 = Math.max(...all.map((r) => r.status.length));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  return `${all.map((r) => `${cut(r.name, w1)}  ${r.status.padEnd(w2)}  ${r.detail}`.trimEnd()).join('\n')}\n`;
}
