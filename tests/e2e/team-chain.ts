// The team's key chain and signed team requests as a protection team's device makes them,
// written independently of the app's Rust (node:crypto's Ed25519, the `age-keygen` CLI), for
// specs that drive the server's team API directly and for routes that forge what a hostile
// server would send. The bytes follow `prepoznaj_domain::team_chain` (`prepoznaj-team-chain-v1`)
// and `prepoznaj_domain::team_request` (`prepoznaj-team-request-v1`); `checkAgainstGoldenFiles`
// compares them with the domain crate's golden files.
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One member as a chain version lists them (the wire form). */
export interface ChainMember {
  id: string;
  display_name: string;
  recipient: string;
  signing_key: string;
  added_at: number;
}

export type ChangeKind = 'founding' | 'add_member' | 'remove_member' | 're_register';

/** A chain version (the wire form). */
export interface ChainVersion {
  school: string;
  number: number;
  previous?: string;
  change: { kind: ChangeKind; member: string };
  signer: string;
  members: ChainMember[];
}

export interface SignedVersion {
  version: ChainVersion;
  signature: string;
}

/** A member's keys as their device holds them: the age identity (as a file for the `age` CLI) and the signing key. */
export interface MemberKeys {
  id: string;
  displayName: string;
  recipient: string;
  identityFile: string;
  signingKey: KeyObject;
  signingPublicHex: string;
}

const CHANGE_TAGS: Record<ChangeKind, number> = { founding: 1, add_member: 2, remove_member: 3, re_register: 4 };

/** Members in ascending order of id, as versions list them. */
function byId(members: ChainMember[]): ChainMember[] {
  return [...members].sort((first, second) => (first.id < second.id ? -1 : first.id > second.id ? 1 : 0));
}

function text(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function u64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

/** `ChainVersion::signing_bytes`. */
export function versionBytes(version: ChainVersion): Buffer {
  const members = byId(version.members);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(members.length);
  return Buffer.concat([
    Buffer.from('prepoznaj-team-chain-v1\n'),
    text(version.school),
    u64(version.number),
    version.previous ? Buffer.concat([Buffer.from([1]), Buffer.from(version.previous, 'hex')]) : Buffer.from([0]),
    Buffer.from([CHANGE_TAGS[version.change.kind]]),
    text(version.change.member),
    text(version.signer),
    count,
    ...members.flatMap((member) => [
      text(member.id),
      text(member.display_name),
      text(member.recipient),
      Buffer.from(member.signing_key, 'hex'),
      u64(member.added_at),
    ]),
  ]);
}

/** The SHA-256 of a version's signing bytes: what the next version links to and a link pins. */
export function versionHash(version: ChainVersion): Buffer {
  return createHash('sha256').update(versionBytes(version)).digest();
}

export function signVersion(version: ChainVersion, key: KeyObject): SignedVersion {
  const ordered = { ...version, members: byId(version.members) };
  return { version: ordered, signature: sign(null, versionBytes(ordered), key).toString('hex') };
}

/** The raw 32-byte Ed25519 public key of `key`, as hex. */
function publicHex(key: KeyObject): string {
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('hex');
}

/** A UUIDv7 (ids of members, reports and status changes). */
export function uuid7(millis: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(millis, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An age identity made by `age-keygen` in `directory`: its file and its recipient. */
export function ageKey(directory: string, name: string): { identityFile: string; recipient: string } {
  const identityFile = path.join(directory, `${name}.key`);
  fs.rmSync(identityFile, { force: true });
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim();
  return { identityFile, recipient };
}

/** New keys for a member called `displayName` (age key in `directory`, signing key in memory). */
export function newMemberKeys(directory: string, displayName: string): MemberKeys {
  const { identityFile, recipient } = ageKey(directory, `${displayName.split(' ')[0].toLowerCase()}-${Date.now()}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  return { id: uuid7(), displayName, recipient, identityFile, signingKey: privateKey, signingPublicHex: publicHex(privateKey) };
}

export function chainMember(keys: MemberKeys, addedAt: number = Date.now()): ChainMember {
  return { id: keys.id, display_name: keys.displayName, recipient: keys.recipient, signing_key: keys.signingPublicHex, added_at: addedAt };
}

/** Version 1 of `school`'s chain, founded and signed by `founder`. */
export function foundChain(school: string, founder: MemberKeys): SignedVersion {
  return signVersion(
    { school, number: 1, change: { kind: 'founding', member: founder.id }, signer: founder.id, members: [chainMember(founder)] },
    founder.signingKey,
  );
}

/** The version after `previous` with `change` made, signed by `signer` (a member of `previous`). */
export function nextVersion(
  previous: SignedVersion,
  change: { kind: 'add_member'; member: ChainMember } | { kind: 'remove_member'; member: string },
  signer: MemberKeys,
): SignedVersion {
  const members =
    change.kind === 'add_member'
      ? [...previous.version.members, change.member]
      : previous.version.members.filter((member) => member.id !== change.member);
  const member = change.kind === 'add_member' ? change.member.id : change.member;
  return signVersion(
    {
      school: previous.version.school,
      number: previous.version.number + 1,
      previous: versionHash(previous.version).toString('hex'),
      change: { kind: change.kind, member },
      signer: signer.id,
      members,
    },
    signer.signingKey,
  );
}

/**
 * The `prepoznaj-signature` header of a team request: `signer` null for a set-up redemption
 * (signed with the key being registered).
 */
export function signatureHeader(
  method: string,
  pathWithQuery: string,
  school: string,
  signer: string | null,
  body: string | null,
  key: KeyObject,
  signedAt: number = Date.now(),
): Record<string, string> {
  const bytes = Buffer.concat([
    Buffer.from('prepoznaj-team-request-v1\n'),
    text(method),
    text(pathWithQuery),
    text(school),
    text(signer ?? ''),
    u64(signedAt),
    createHash('sha256').update(body ?? '').digest(),
  ]);
  return { 'prepoznaj-signature': `t=${signedAt};sig=${sign(null, bytes, key).toString('hex')}` };
}

/** `enrolment_link(base, code, pin)`: `…/enrol#<code>.<pin, base64url>`. */
export function enrolmentLink(base: string, code: string, pinned: ChainVersion): string {
  return `${base.replace(/\/$/, '')}/enrol#${code}.${versionHash(pinned).toString('base64url')}`;
}

/** The enrolment code of an enrolment link (the part of its fragment before the pin). */
export function enrolmentCode(link: string): string {
  return new URL(link).hash.slice(1).split('.')[0];
}

/** The last version's recipients: what a verifying phone seals to. */
export function headRecipients(chain: SignedVersion[]): string[] {
  return chain[chain.length - 1].version.members.map((member) => member.recipient);
}

/**
 * A hostile server's rewrite of a chain: after the head, a version listing the head's members
 * and `recipient`, numbered next and linked to the head as a real one would be, but signed by
 * nobody in the team (it carries the head's signature). A phone that trusted the server's
 * listing would encrypt to `recipient`.
 */
export function withAddedRecipient(chain: SignedVersion[], recipient: string): SignedVersion[] {
  const head = chain[chain.length - 1];
  const intruder: ChainMember = {
    id: uuid7(),
    display_name: 'Server',
    recipient,
    signing_key: publicHex(generateKeyPairSync('ed25519').privateKey),
    added_at: Date.now(),
  };
  const forged: SignedVersion = {
    version: {
      school: head.version.school,
      number: head.version.number + 1,
      previous: versionHash(head.version).toString('hex'),
      change: { kind: 'add_member', member: intruder.id },
      signer: head.version.signer,
      members: byId([...head.version.members, intruder]),
    },
    signature: head.signature,
  };
  return [...chain, forged];
}

/** Throws unless these bytes, hashes and signatures are the domain crate's golden ones. */
export function checkAgainstGoldenFiles(root: string): void {
  const golden = path.join(root, 'crates/prepoznaj-domain/tests/golden/team_chain');
  const chain: SignedVersion[] = JSON.parse(fs.readFileSync(path.join(golden, 'chain.json'), 'utf8'));
  chain.forEach((signed, index) => {
    const expected = fs.readFileSync(path.join(golden, `version_${index + 1}.hex`), 'utf8').replace(/\s/g, '');
    if (versionBytes(signed.version).toString('hex') !== expected) throw new Error(`version ${index + 1}: signing bytes differ`);
  });
  const hash = fs.readFileSync(path.join(golden, 'version_1.sha256'), 'utf8').trim();
  if (versionHash(chain[0].version).toString('hex') !== hash) throw new Error('version 1: hash differs');
  if (chain[1].version.previous !== hash) throw new Error('version 2 does not link to version 1');
}
