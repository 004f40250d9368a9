// node --import this: every module the process resolves is appended (one URL a line) to the
// file named by BSO_IMPORTS_LOG. Used to check what a command loads (cli/fast-start.test.ts).
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url);
