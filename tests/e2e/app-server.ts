// A private prepoznaj-server on its own port (so its own origin and service worker) serving
// a copy of dist/ that a test may change, e.g. to publish a new version.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  chainMember,
  enrolmentCode,
  enrolmentLink,
  foundChain,
  headRecipients,
  newMemberKeys,
  nextVersion,
  signatureHeader,
  uuid7,
  type MemberKeys,
  type SignedVersion,
} from './team-chain';

export { uuid7 } from './team-chain';

export const SERVER_BIN = process.env.PREPOZNAJ_SERVER_BIN || 'target/debug/prepoznaj-server';

export interface AppServer {
  url: string;
  dist: string;
  /** The server's data directory (its SQLite database). */
  data: string;
  /** Kills the server process (SIGKILL: no chance to finish anything), keeping its data. */
  kill(): Promise<void>;
  /** Starts the server again on the same address and data (after `kill`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Copies dist/ to a temporary directory and serves it on a free port. */
export async function startServerWithDistCopy(options: string[] = []): Promise<AppServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'prepoznaj-e2e-server-'));
  const dist = path.join(root, 'dist');
  const data = path.join(root, 'data');
  fs.cpSync(process.env.PREPOZNAJ_DIST || 'dist', dist, { recursive: true });
  fs.mkdirSync(data);
  const spawnServer = (port: string) =>
    spawn(SERVER_BIN, ['--port', port, '--dist', dist, '--data-dir', data, '--log', 'warn', ...options], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  let child = spawnServer('0');
  const url = await listeningUrl(child);
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
  };
  return {
    url,
    dist,
    data,
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGKILL');
      child = spawnServer(new URL(url).port);
      await listeningUrl(child);
    },
    async stop() {
      await end('SIGTERM');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the operator's `prepoznaj-server school create --name <name>` against `server`'s
 * database, as an operator would next to the running server; returns the printed set-up link.
 */
export function createSchool(server: AppServer, name: string): string {
  const stdout = execFileSync(SERVER_BIN, ['school', 'create', '--name', name, '--base-url', server.url], {
    env: { ...process.env, PREPOZNAJ_DATA_DIR: server.data },
    encoding: 'utf8',
  });
  const link = stdout.split('\n').find((line) => line.startsWith(`${server.url}/team/setup#`));
  if (!link) throw new Error(`no set-up link in the output of school create:\n${stdout}`);
  return link.trim();
}

/** Reads the "listening on http://…" line the server prints on stderr once it accepts connections. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const deadline = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`prepoznaj-server did not start within 15 s:\n${stderr}`));
    }, 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The line arrives in several writes: parse it only once it is complete.
      const match = /listening on (http:\/\/[0-9.]+:[0-9]+)[^\n]*\n/.exec(stderr);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`prepoznaj-server exited with ${code}:\n${stderr}`));
    });
  });
}

/**
 * Publishes a new version in `dist`: rewrites the service worker's VERSION and removes its
 * pre-compressed siblings so that the server sends the changed file. Returns the new version.
 */
export function publishNewServiceWorkerVersion(dist: string): { oldVersion: string; newVersion: string } {
  const file = path.join(dist, 'sw.js');
  const source = fs.readFileSync(file, 'utf8');
  const pattern = /const VERSION = '([^']+)';/;
  const match = pattern.exec(source);
  if (!match) throw new Error(`no "const VERSION = '…'" in ${file}`);
  const newVersion = `e2e${Date.now().toString(36)}`;
  fs.writeFileSync(file, source.replace(pattern, `const VERSION = '${newVersion}';`));
  for (const sibling of ['sw.js.br', 'sw.js.gz']) fs.rmSync(path.join(dist, sibling), { force: true });
  return { oldVersion: match[1], newVersion };
}

/** What a protection team set up through the API (as its app would) needs in a test. */
export interface Team {
  /** An age identity file (the member's private key) for the `age` CLI. */
  identityFile: string;
  memberToken: string;
  /** The member's public key (`age1…`) and id. */
  publicKey: string;
  memberId: string;
  /** The member's keys, signing key included (team requests are signed). */
  keys: MemberKeys;
  schoolId: string;
  /** The key chain as the team last saw it. */
  chain: SignedVersion[];
  /** A staff enrolment link (`…/enrol#<code>.<pin>`), pinning the chain's last version. */
  enrolmentLink: string;
}

/** Sends `body` as JSON with `method` (bearer `token`, extra `headers`) and returns the parsed answer; throws on a non-2xx. */
export async function sendJson(
  method: string,
  url: string,
  body: unknown,
  token?: string,
  headers: Record<string, string> = {},
): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** POSTs `body` as JSON (with `token` as bearer) and returns the parsed answer; throws on a non-2xx. */
export async function postJson(url: string, body: unknown, token?: string): Promise<any> {
  return sendJson('POST', url, body, token);
}

/** A team request signed by `team`'s member, as their unlocked device sends it. */
export async function signedTeamRequest(server: AppServer, team: Team, method: string, apiPath: string, body?: unknown): Promise<any> {
  const json = body === undefined ? null : JSON.stringify(body);
  const headers = signatureHeader(method, apiPath, team.schoolId, team.memberId, json, team.keys.signingKey);
  return sendJson(method, `${server.url}${apiPath}`, json ?? undefined, team.memberToken, headers);
}

/** Redeems a set-up code with `keys` (signed with their signing key, no signer: proof of possession). */
async function redeemSetupCode(
  server: AppServer,
  school: string,
  setupCode: string,
  keys: MemberKeys,
  founding?: SignedVersion,
): Promise<any> {
  const body = JSON.stringify({
    setup_code: setupCode,
    public_key: keys.recipient,
    signing_key: keys.signingPublicHex,
    display_name: keys.displayName,
    ...(founding ? { founding } : {}),
  });
  const apiPath = '/api/v1/team/setup';
  return sendJson('POST', `${server.url}${apiPath}`, body, undefined, signatureHeader('POST', apiPath, school, null, body, keys.signingKey));
}

/** A new staff enrolment link of `team`, pinning the chain's last version. */
export async function makeEnrolmentLink(server: AppServer, team: Team): Promise<string> {
  const link = await signedTeamRequest(server, team, 'POST', '/api/v1/enrolment-links', {});
  return enrolmentLink(server.url, link.enrolment_code, team.chain[team.chain.length - 1].version);
}

/**
 * Sets up a school's first team member with the operator's `setupLink` and keys made here (an
 * age key by `age-keygen`, an Ed25519 signing key): the founding chain version signed by them,
 * the redemption signed with the new key (what the team page does in the browser, done here
 * through the same API). The team has no enrolment link yet.
 */
export async function foundTeam(server: AppServer, setupLink: string, name = 'Marija Petrović'): Promise<Team> {
  const setupCode = new URL(setupLink).hash.slice(1);
  const check = await postJson(`${server.url}/api/v1/link-checks`, { kind: 'team_setup', code: setupCode });
  const schoolId: string = check.founding_school.id;
  const keys = newMemberKeys(path.join(server.data, '..'), name);
  const founding = foundChain(schoolId, keys);
  const setup = await redeemSetupCode(server, schoolId, setupCode, keys, founding);
  const team: Team = {
    identityFile: keys.identityFile,
    memberToken: setup.member_token,
    publicKey: keys.recipient,
    memberId: keys.id,
    keys,
    schoolId,
    chain: setup.chain,
    enrolmentLink: '',
  };
  return team;
}

/** Creates a school, sets up its first team member (`foundTeam`) and makes an enrolment link pinning version 1. */
export async function setUpTeam(server: AppServer, school: string): Promise<Team> {
  const team = await foundTeam(server, createSchool(server, school));
  team.enrolmentLink = await makeEnrolmentLink(server, team);
  return team;
}

/**
 * The team changes: `team`'s member adds a new member (keys made here) with a signed chain
 * version, the new member registers, then removes `team`'s member with the next version they
 * sign. Returns the new member as a `Team`.
 */
export async function replaceMember(server: AppServer, team: Team): Promise<Team> {
  const keys = newMemberKeys(path.join(server.data, '..'), 'Jovan Jovanović');
  const added = nextVersion(team.chain[team.chain.length - 1], { kind: 'add_member', member: chainMember(keys) }, team.keys);
  const appended = await signedTeamRequest(server, team, 'POST', '/api/v1/team/chain', { version: added });
  const setup = await redeemSetupCode(server, team.schoolId, appended.setup.setup_code, keys);
  const newMember: Team = {
    ...team,
    identityFile: keys.identityFile,
    memberToken: setup.member_token,
    publicKey: keys.recipient,
    memberId: keys.id,
    keys,
    chain: setup.chain,
  };
  const removed = nextVersion(newMember.chain[newMember.chain.length - 1], { kind: 'remove_member', member: team.memberId }, keys);
  const afterRemoval = await signedTeamRequest(server, newMember, 'POST', '/api/v1/team/chain', { version: removed });
  return { ...newMember, chain: afterRemoval.chain };
}

/** A report as the server's database holds it. */
export interface StoredReport {
  id: string;
  status: string;
  /** The envelope, decrypted with the team member's key by the `age` CLI. */
  plaintext: string;
}

/** Every report's id, status and envelope in `server`'s SQLite database (read with Python's sqlite3, read-only). */
export function storedEnvelopes(server: AppServer): { id: string; status: string; envelope: Buffer }[] {
  const script = [
    'import base64, json, sqlite3, sys',
    'db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)',
    'rows = db.execute("SELECT id, status, envelope FROM reports ORDER BY id").fetchall()',
    'print(json.dumps([[i, s, base64.b64encode(e).decode()] for i, s, e in rows]))',
  ].join('\n');
  const rows: [string, string, string][] = JSON.parse(
    execFileSync('python3', ['-c', script, path.join(server.data, 'prepoznaj.db')], { encoding: 'utf8' }),
  );
  return rows.map(([id, status, envelope]) => ({ id, status, envelope: Buffer.from(envelope, 'base64') }));
}

/** Every report in `server`'s SQLite database, decrypted with the team member's key by the `age` CLI. */
export function reportsOnServer(server: AppServer, team: Team): StoredReport[] {
  return storedEnvelopes(server).map(({ id, status, envelope }) => ({
    id,
    status,
    plaintext: execFileSync('age', ['--decrypt', '-i', team.identityFile], { input: envelope, encoding: 'utf8' }),
  }));
}

/**
 * The team marks a report as acted upon, as its inbox does: the detail encrypted to the team's
 * key with the `age` CLI, only the coarse status in clear.
 */
export async function markActedUpon(server: AppServer, team: Team, reportId: string): Promise<void> {
  const detail = JSON.stringify({ action: 'informed_social_care_centre', note: 'called the centre' });
  const envelope = execFileSync('age', ['--encrypt', '-r', team.publicKey], { input: detail });
  await signedTeamRequest(server, team, 'POST', `/api/v1/team/reports/${reportId}/status-changes`, {
    change_id: uuid7(),
    coarse_status: 'acted_upon',
    envelope: envelope.toString('base64'),
    envelope_sha256: createHash('sha256').update(envelope).digest('hex'),
  });
}

/** An answer as a finished observation records it. */
export interface RecordedAnswer {
  answer: 'observed' | 'not-sure' | 'not-observed';
  note?: string;
}

/**
 * Enrols a device with `enrolmentLink` and sends, through the real intake, one finished
 * full-checklist observation with `answers`, sealed to the team's keys with the `age` CLI (the
 * report's plaintext as the app writes it). Returns the report's id.
 */
export async function sendObservation(
  server: AppServer,
  enrolmentLink: string,
  catalogueVersion: string,
  answers: Record<string, RecordedAnswer>,
): Promise<string> {
  const device = await postJson(`${server.url}/api/v1/devices`, { enrolment_code: enrolmentCode(enrolmentLink) });
  const recipients = headRecipients(device.chain).flatMap((recipient) => ['-r', recipient]);
  const now = Date.now();
  const id = uuid7(now);
  const plaintext = JSON.stringify({
    format: 1,
    observation: {
      id,
      catalogue_version: catalogueVersion,
      mode: 'full',
      status: 'complete',
      started_at: now - 600_000,
      completed_at: now,
      updated_at: now,
      context: { setting: 'classroom', observer_role: 'teacher' },
      answers,
    },
  });
  const envelope = execFileSync('age', ['--encrypt', ...recipients], { input: plaintext });
  await postJson(
    `${server.url}/api/v1/reports`,
    {
      report_id: id,
      envelope: envelope.toString('base64'),
      envelope_sha256: createHash('sha256').update(envelope).digest('hex'),
      catalogue_version: catalogueVersion,
      protocol_version: 1,
    },
    device.device_token,
  );
  return id;
}
