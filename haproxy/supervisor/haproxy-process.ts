// The HAProxy master process: started in master-worker mode (-W) with a master socket (-S) the
// supervisor owns. Its output is forwarded line by line and the recent lines are kept, so a
// failed reload can be reported with HAProxy's own ALERT messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sendCommand } from './runtime-api.js';
import { parseShowProc, type ProcTable } from './show-proc.js';

export interface HAProxyProcessOptions {
  haproxy: string;
  configFile: string;
  masterSocket: string;
  env: NodeJS.ProcessEnv;
  /** Every line HAProxy prints (the access log comes on stdout, the master's messages on stderr). */
  onLine?: (line: string) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

interface LoggedLine { seq: number; text: string }
const KEEP_LINES = 500;

export class HAProxyProcess {
  private child: ChildProcess | undefined;
  private lines: LoggedLine[] = [];
  private seq = 0;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: HAProxyProcessOptions) {}

  get pid(): number | undefined { return this.child?.pid; }
  get running(): boolean { return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null; }

  /** Starts the master and waits until it answers with a worker running. */
  async start(timeoutMs = 30_000): Promise<ProcTable> {
    if (this.running) throw new Error('HAProxy is already running');
    const o = this.options;
    let started = false;
    const child = spawn(o.haproxy, ['-W', '-S', `${o.masterSocket},mode,600`, '-f', o.configFile], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // Workers log requests to stdout; the master's notices and alerts come on stderr.
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => o.onLine?.(line));
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => this.record(line));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        resolve();
        // Only a master that had started is reported; a failed start throws from start().
        if (this.child === child && started) o.onExit?.(code, signal);
      });
    });
    child.on('error', (error) => this.record(`[ALERT] cannot start ${o.haproxy}: ${error.message}`));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`HAProxy exited at start: ${this.alertsSince(0).join(' | ') || 'no message'}`);
      try {
        const table = await this.showProc();
        if (table.workers.length > 0) {
          started = true;
          return table;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await this.exited;
    throw new Error(`HAProxy did not start a worker within ${timeoutMs} ms`);
  }

  /** Graceful stop: the workers finish their requests (SIGUSR1); hard stop after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGUSR1');
    const timer = setTimeout(() => child.kill('SIGTERM'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async showProc(): Promise<ProcTable> {
    return parseShowProc(await sendCommand(this.options.masterSocket, 'show proc', 5000));
  }

  /** Sequence number of the last line seen; pass it to alertsSince to get what came after. */
  mark(): number { return this.seq; }

  alertsSince(seq: number): string[] {
    return this.lines.filter((l) => l.seq > seq && /\[ALERT\]|Loading failure/.test(l.text)).map((l) => l.text.replace(/^\[(\w+)\]\s+\(\d+\)\s*:\s*/, '$1: '));
  }

  private record(text: string): void {
    this.seq += 1;
    this.lines.push({ seq: this.seq, text });
    if (this.lines.length > KEEP_LINES) this.lines.splice(0, this.lines.length - KEEP_LINES);
    this.options.onLine?.(text);
  }
}
