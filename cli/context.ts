// What a command needs from the process: output streams, standard input and the exit code.
// Tests pass their own.
export interface CliContext {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Standard input for `-f -`; when absent, the process's own. */
  readStdin?: () => Buffer;
  exitCode: number;
}

export function processContext(): CliContext {
  return {
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    exitCode: 0,
  };
}
