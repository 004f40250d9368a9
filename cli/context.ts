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
  // Output into a closed pipe (bso get --help | head -5) ends the process quietly, as it does
  // for cat or grep, instead of an unhandled EPIPE with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  return {
    stdout: (line) => process.stdout.write(line + '\n'),
    stderr: (line) => process.stderr.write(line + '\n'),
    exitCode: 0,
  };
}
