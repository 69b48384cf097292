/** Writes the systemd unit's text to infra/mocks-booking.service (`npm run infra:unit`); a test keeps the copies equal. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { systemdUnit } from '../lib/systemdUnit';

const target = fileURLToPath(new URL('../mocks-booking.service', import.meta.url));
writeFileSync(target, systemdUnit());
console.log(`wrote ${target}`);
