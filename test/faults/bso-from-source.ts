// `bso` run from the TypeScript sources (node --import tsx), so fault tests exercise the
// operator as checked out, without a shared `npm run build` of dist/.
import { main } from '../../cli/main.js';

process.exitCode = await main(process.argv);
