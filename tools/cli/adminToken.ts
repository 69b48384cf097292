// `npm run admin:token -- --email you@school --role admin`: a development admin token (server/admin/auth/devIssuer.ts).

import { signDevToken } from '../../server/admin/auth/devIssuer';
import { ADMIN_ROLES } from '../../server/config/admin';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { parseCliArgs } from '../cliKit/args';

const usage = `Usage: npm run admin:token -- --email <address> [--role ${ADMIN_ROLES.join('|')}] [--sub <id>] [--minutes <n>]

Prints an admin token signed by the local development issuer (its key is made on first use at
ADMIN_DEV_KEY_FILE, default .data/admin-dev-key.json). The service accepts these tokens only while no
ADMIN_OIDC_ISSUER is configured, and never with NODE_ENV=production. Send it as
"Authorization: Bearer <token>" to /api/trpc/admin.* and /api/admin/exports/*.

  --email     the admin's email (recorded in the audit log)
  --role      one of ${ADMIN_ROLES.join(', ')} (default admin)
  --sub       the subject (default dev|<email>)
  --minutes   validity, 1-1440 (default 480)`;

const args = parseCliArgs(usage, {
  email: { type: 'string' },
  role: { type: 'string', default: 'admin' },
  sub: { type: 'string' },
  minutes: { type: 'string', default: '480' },
});

function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
if (!args.email || !/^[^\s@]+@[^\s@]+$/.test(args.email)) refuse('--email <address> is required');
if (!(ADMIN_ROLES as readonly string[]).includes(args.role)) refuse(`--role must be one of ${ADMIN_ROLES.join(', ')}`);
const minutes = Number(args.minutes);
if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) refuse('--minutes must be a whole number 1-1440');

// Before the configuration: production would refuse these tokens whatever else it says.
if (process.env.NODE_ENV === 'production') {
  process.stderr.write('admin:token is for development: NODE_ENV=production never accepts its tokens.\n');
  process.exit(1);
}
const config = loadConfigOrExit();
if (!config.admin.devKeyFile) {
  process.stderr.write(
    'ADMIN_OIDC_ISSUER is set: the service verifies admin tokens with that issuer only. Sign in there, or unset it for local use.\n',
  );
  process.exit(1);
}
const token = await signDevToken(config.admin.devKeyFile, {
  email: args.email,
  role: args.role,
  subject: args.sub,
  ttlSeconds: minutes * 60,
});
process.stdout.write(`${token}\n`);
