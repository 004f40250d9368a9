// The bso CLI from source (through tsx), for bench scenarios that spawn `bso operator` without
// needing `npm run build`: node --import tsx bench/lib/cp-bso-cli.ts operator --backend=...
import { main } from '../../cli/main.js';

process.exitCode = await main(process.argv);
