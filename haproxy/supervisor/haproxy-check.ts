// `haproxy -c`: parses a config exactly as a reload would, without binding anything. Catches
// syntax and semantic errors; bind-time failures (a port in use) only show on the reload itself.
import { spawn } from 'node:child_process';

export interface CheckResult {
  ok: boolean;
  /** ALERT and WARNING lines, for reports. */
  messages: string[];
}

export function checkHAProxyConfig(file: string, options: { haproxy: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CheckResult> {
  return new Promise((resolve) => {
    const child = spawn(options.haproxy, ['-c', '-f', file], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, messages: [`cannot run ${options.haproxy}: ${error.message}`] });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const messages = output.split('\n').filter((line) => /\[(ALERT|WARNING)\]/.test(line)).map((line) => line.replace(/^\[(\w+)\]\s+\(\d+\)\s*:\s*/, '$1: ').trim());
      if (code !== 0 && messages.length === 0) messages.push(`haproxy -c exited with ${code}: ${output.trim().split('\n').slice(-3).join(' / ')}`);
      resolve({ ok: code === 0, messages });
    });
  });
}
