// `npm run build`: the service compiled to dist/; production runs `node dist/server/main.js`
// (no npm, no tsx: npm does not forward SIGTERM, and production loads no TypeScript compiler).
import { fileURLToPath } from 'node:url';
import { compileService } from '../build/compile';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = await compileService(root);
process.stdout.write(`built ${out}/ — run it with: node ${out}/server/main.js\n`);
