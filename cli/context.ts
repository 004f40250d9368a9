// What a command needs from the process: output streams and the exit code. Tests pass their own.
export interface CliContext {
  stdout(line: string): void;
  stderr(line: string): void;
  exitCode: number;
}

export function processContext(): CliContext {
  return {
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    exitCode: 0,
  };
}
