// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys: key encodings, key IDs,
// signing and verification. Notes arrive from strangers, so parsing is strict and every
// malformation is a NoteError, never a crash or a silent acceptance.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteError';
  }
}

/** Signature type identifier of Ed25519 in signed notes. */
const ed25519Type = 0x01;
/** Go's sumdb/note refuses notes with more signatures than this; the spec requires at least 16. */
const maxSignatures = 100;

export interface VerifierKey {
  name: string;
  keyId: number;
  publicKey: Buffer;
  /** The note form: name+hexid+base64(0x01 ‖ public key). */
  encoded: string;
  key: KeyObject;
}

export interface SignerKey extends VerifierKey {
  seed: Buffer;
  privateKey: KeyObject;
  /** PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed). */
  encodedPrivate: string;
}

// DER wrappers that let node:crypto take raw Ed25519 keys (RFC 8410).
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian. */
export function keyIdOf(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ed25519Type]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/[\u0000-\u001f]/.test(name);
}

const hexId = (keyId: number): string => keyId.toString(16).padStart(8, '0');

/**
 * Standard base64 (RFC 4648 §4) in its one canonical spelling: padded, and with zero unused bits.
 * A lenient decoder would let a signature or key be re-spelled without changing its bytes.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function publicKeyObject(publicKey: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([spkiPrefix, publicKey]), format: 'der', type: 'spki' });
}

export function parseVerifierKey(encoded: string): VerifierKey {
  const first = encoded.indexOf('+');
  const second = first < 0 ? -1 : encoded.indexOf('+', first + 1);
  if (second < 0) throw new NoteError('a verifier key has the form name+hexid+base64');
  const name = encoded.slice(0, first);
  const idText = encoded.slice(first + 1, second);
  const keyBytes = decodeBase64Strict(encoded.slice(second + 1));
  if (!isValidKeyName(name)) throw new NoteError('invalid key name');
  if (!/^[0-9a-f]{8}$/.test(idText)) throw new NoteError('the key ID must be 8 lowercase hex digits');
  if (keyBytes?.length !== 33 || keyBytes[0] !== ed25519Type)
    throw new NoteError('the key must be base64 of 0x01 followed by a 32-byte Ed25519 public key');
  const publicKey = keyBytes.subarray(1);
  const keyId = keyIdOf(name, publicKey);
  if (hexId(keyId) !== idText) throw new NoteError('the key ID does not match the key');
  return { name, keyId, publicKey: Buffer.from(publicKey), encoded, key: publicKeyObject(Buffer.from(publicKey)) };
}

export function signerFromSeed(name: string, seed: Uint8Array): SignerKey {
  if (!isValidKeyName(name)) throw new NoteError('invalid key name: it must be non-empty, without spaces or "+"');
  if (seed.length !== 32) throw new NoteError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(spkiPrefix.length);
  const keyId = keyIdOf(name, publicKey);
  const encoded = `${name}+${hexId(keyId)}+${Buffer.concat([Buffer.from([ed25519Type]), publicKey]).toString('base64')}`;
  const encodedPrivate = `PRIVATE+KEY+${name}+${hexId(keyId)}+${Buffer.concat([Buffer.from([ed25519Type]), seed]).toString('base64')}`;
  return {
    name,
    keyId,
    publicKey: Buffer.from(publicKey),
    encoded,
    key: publicKeyObject(Buffer.from(publicKey)),
    seed: Buffer.from(seed),
    privateKey,
    encodedPrivate,
  };
}

export function parseSignerKey(encoded: string): SignerKey {
  const parts = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(encoded.trim());
  if (!parts) throw new NoteError('a signer key has the form PRIVATE+KEY+name+hexid+base64');
  const keyBytes = decodeBase64Strict(parts[3]!);
  if (keyBytes?.length !== 33 || keyBytes[0] !== ed25519Type)
    throw new NoteError('the signer key must be base64 of 0x01 followed by a 32-byte Ed25519 seed');
  const signer = signerFromSeed(parts[1]!, keyBytes.subarray(1));
  if (hexId(signer.keyId) !== parts[2]) throw new NoteError('the key ID does not match the key');
  return signer;
}

export function generateSigner(name: string): SignerKey {
  return signerFromSeed(name, randomBytes(32));
}

function checkText(text: string, what: string): void {
  if (!text.endsWith('\n')) throw new NoteError(`${what} must end with a newline`);
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text))
    throw new NoteError(`${what} must not contain control characters other than newline`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text))
    throw new NoteError(`${what} must be valid UTF-8 (no lone surrogates)`);
}

/** The signed note: text, a blank line, then one signature line per signer. */
export function signNote(text: string, signers: readonly SignerKey[]): string {
  checkText(text, 'the note text');
  let out = `${text}\n`;
  for (const signer of signers) {
    const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(signer.keyId);
    out += `\u2014 ${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
  }
  return out;
}

export interface OpenedNote {
  text: string;
  /** The known keys whose signatures verified. */
  verifiedBy: VerifierKey[];
  /** Signature lines by keys not in the given set (ignored, per the spec). */
  unverified: Array<{ name: string; keyId: number }>;
}

/**
 * Verifies a signed note against known keys. Signatures by unknown keys are ignored; a signature by
 * a known key that fails rejects the whole note; at least one known key must have signed.
 */
export function openNote(note: string | Buffer, known: readonly VerifierKey[]): OpenedNote {
  const bytes = typeof note === 'string' ? Buffer.from(note, 'utf8') : note;
  const decoded = bytes.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(bytes)) throw new NoteError('the note is not valid UTF-8');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(decoded)) throw new NoteError('the note contains control characters');
  if (!decoded.endsWith('\n')) throw new NoteError('the note does not end with a newline');
  const split = decoded.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('the note has no signature block');
  const text = decoded.slice(0, split + 1);
  const lines = decoded.slice(split + 2, -1).split('\n');
  if (lines.length === 1 && lines[0] === '') throw new NoteError('the note has no signatures');
  if (lines.length > maxSignatures) throw new NoteError(`the note has more than ${maxSignatures} signatures`);
  const verifiedBy: VerifierKey[] = [];
  const unverified: OpenedNote['unverified'] = [];
  for (const line of lines) {
    const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match || !isValidKeyName(match[1]!)) throw new NoteError('malformed signature line');
    const signatureBytes = decodeBase64Strict(match[2]!);
    if (!signatureBytes || signatureBytes.length < 5) throw new NoteError('malformed signature');
    const keyId = signatureBytes.readUInt32BE(0);
    const key = known.find((candidate) => candidate.name === match[1] && candidate.keyId === keyId);
    if (!key) {
      unverified.push({ name: match[1]!, keyId });
      continue;
    }
    const ok =
      signatureBytes.length === 68 && verify(null, Buffer.from(text, 'utf8'), key.key, signatureBytes.subarray(4));
    if (!ok) throw new NoteError(`the signature by ${key.name} does not verify`);
    if (!verifiedBy.includes(key)) verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) throw new NoteError('no signature by a known key');
  return { text, verifiedBy, unverified };
}
