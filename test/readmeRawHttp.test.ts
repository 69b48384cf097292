import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact, insertExam } from './helpers/factories';
import { useTestService } from './helpers/service';

/** The README's raw HTTP examples (issue 15 item 8), run as written with curl against a real service. */

const run = promisify(execFile);
const s = useTestService();
let examId: string;

/** The commands of the README's "Raw HTTP" sh block: continuation lines joined, comments dropped. */
function readmeCommands(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Raw HTTP'));
  const block = section.slice(section.indexOf('```sh\n') + 6, section.indexOf('\n```', section.indexOf('```sh')));
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
}

async function curl(command: string, env: Record<string, string> = {}) {
  const line = command.replaceAll('http://localhost:3000', s.url);
  const { stdout } = await run('sh', ['-c', line], { env: { PATH: process.env.PATH ?? '', ...env } });
  return JSON.parse(stdout) as { result?: { data: { json: unknown } }; error?: unknown };
}

beforeAll(async () => {
  await insertContact(s.db, { cs_credits: 1 }, { studentId: 'DEMO123', email: 'demo.student@example.com' });
  examId = await insertExam(s.db, { location: 'Toronto' });
});

describe('README raw HTTP', () => {
  it('runs the query, the login and the booking exactly as written', async () => {
    const [query, login, book] = readmeCommands();
    expect([query, login, book].every(Boolean)).toBe(true);

    const listed = await curl(query!);
    expect((listed.result!.data.json as Array<{ examId: string }>).map((e) => e.examId)).toEqual([examId]);

    const session = await curl(login!);
    const { token } = session.result!.data.json as { token: string };
    expect(token).toEqual(expect.any(String));

    const booked = await curl(book!, { TOKEN: token, EXAM_ID: examId });
    expect(booked.result!.data.json).toMatchObject({ examId, tokenUsed: 'Clinical Skills Token' });
  });
});
