// Action receipts: the proof an agent's action was found admissible by a verifier whose key the
// gateway trusts. Pure (no I/O). The format is meant to be produced by other tools from its
// description alone (docs/action-gate.md, "Action receipts"):
//
//   params_sha256 = hex SHA-256 of RFC 8785 JSON of {"amount": <amount as sent, or null>, "params": <params or {}>}
//   signature     = base64 Ed25519 signature over RFC 8785 JSON of every other receipt field
//   key_id        = the signer's verifier key without its base64 part: name+hexid
import { createHash, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../core/canonical-json.js';
import { decodeBase64Strict, parseVerifierKey, type SignerKey, type VerifierKey } from '../ledger/note.js';

export const receiptFields = [
  'receipt_id',
  'agent_id',
  'action',
  'params_sha256',
  'policy_hash',
  'state_fingerprint',
  'issued_at',
  'key_id',
  'signature',
] as const;

/**
 * The signed bytes are RFC 8785 JSON, which has no lone surrogates (RFC 7493 §2.1): a field carrying one cannot have
 * been signed, and is malformed here rather than a TypeError in the canonical encoder.
 */
const unicode = (schema: z.ZodString) =>
  schema.refine(
    (text) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text),
    'must be valid Unicode (no lone surrogates)',
  );

export const actionReceiptSchema = z.strictObject({
  receipt_id: unicode(z.string().min(1).max(256)),
  agent_id: unicode(z.string().min(1).max(256)),
  action: unicode(z.string().min(1).max(256)),
  params_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  policy_hash: unicode(z.string().min(1).max(256)),
  state_fingerprint: unicode(z.string().max(1024)),
  issued_at: z.iso.datetime({ offset: true }),
  key_id: unicode(z.string().regex(/^[^\s+]+\+[0-9a-f]{8}$/, 'must be name+hexid')),
  signature: z.string().min(1).max(256),
});

export type ActionReceipt = z.infer<typeof actionReceiptSchema>;
export type UnsignedReceipt = Omit<ActionReceipt, 'signature'>;

/** Why a receipt is refused: stable reason codes, given in DENY verdicts. */
export type DenyReason =
  | 'malformed'
  | 'untrusted_key'
  | 'bad_signature'
  | 'receipt_mismatch'
  | 'params_mismatch'
  | 'policy_hash_mismatch'
  | 'stale'
  | 'replayed'
  | 'no_rule'
  | 'rejected'
  | 'simulation_disabled'
  | 'simulation_mismatch';

export type ReceiptCheck = { ok: true; signer: string } | { ok: false; reason: DenyReason; detail: string };

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * What a receipt's params_sha256 commits to: the action's amount (a JSON number or a decimal string) and params exactly
 * as sent.
 */
export function paramsDigest(
  amount: number | string | null | undefined,
  params: Record<string, unknown> | undefined,
): string {
  return sha256Hex(canonicalJson({ amount: amount ?? null, params: params ?? {} }));
}

/** The signed bytes: RFC 8785 JSON of the receipt without its signature. */
export function receiptSigningInput(receipt: UnsignedReceipt | ActionReceipt): Buffer {
  const { signature: _signature, ...unsigned } = receipt as ActionReceipt;
  return Buffer.from(canonicalJson(unsigned), 'utf8');
}

/** SHA-256 of the receipt's RFC 8785 JSON (signature included): what the ledger records. */
export function receiptDigest(receipt: unknown): string {
  return sha256Hex(canonicalJson(receipt));
}

export const keyIdText = (key: VerifierKey): string => `${key.name}+${key.keyId.toString(16).padStart(8, '0')}`;

export function signReceipt(unsigned: Omit<UnsignedReceipt, 'key_id'>, signer: SignerKey): ActionReceipt {
  const withKey: UnsignedReceipt = { ...unsigned, key_id: keyIdText(signer) };
  return { ...withKey, signature: sign(null, receiptSigningInput(withKey), signer.privateKey).toString('base64') };
}

/** Trusted keys by name+hexid; a malformed key is refused at start with its position. */
export function trustedKeyMap(encoded: readonly string[]): Map<string, VerifierKey> {
  const keys = new Map<string, VerifierKey>();
  encoded.forEach((text, index) => {
    let key: VerifierKey;
    try {
      key = parseVerifierKey(text);
    } catch (error) {
      throw new Error(`actions.trusted_keys[${index}]: ${(error as Error).message}`);
    }
    keys.set(keyIdText(key), key);
  });
  return keys;
}

/** A 64-byte Ed25519 signature, as canonical base64 (or 128 hex digits, which other tools often print). */
export function decodeSignature(text: string): Buffer | undefined {
  const bytes = /^[0-9a-f]{128}$/i.test(text) ? Buffer.from(text, 'hex') : decodeBase64Strict(text);
  return bytes && bytes.length === 64 ? bytes : undefined;
}

export interface ReceiptExpectations {
  agentId: string;
  action: string;
  paramsSha256: string;
  policyHash: string;
  now: number;
  maxAgeMs: number;
  trusted: ReadonlyMap<string, VerifierKey>;
}

/** Clock skew allowed for a receipt issued "in the future". */
export const futureSkewMs = 60_000;

export function freshness(issuedAt: number, now: number, maxAgeMs: number): string | undefined {
  if (!Number.isFinite(issuedAt)) return 'its time is not a valid time';
  if (issuedAt > now + futureSkewMs) return `it was issued ${Math.round((issuedAt - now) / 1000)} s in the future`;
  if (now - issuedAt > maxAgeMs)
    return `it was issued ${Math.round((now - issuedAt) / 1000)} s ago; receipts are accepted for ${Math.round(maxAgeMs / 1000)} s`;
  return undefined;
}

/**
 * Checks a receipt against the action it comes with. Order: shape, key, signature (so a tampered
 * receipt is reported as such), then what the signed receipt says against the action and the
 * gateway. Replay is checked by the caller, when the receipt is used.
 */
export function checkReceipt(raw: unknown, expected: ReceiptExpectations): ReceiptCheck {
  const parsed = actionReceiptSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      reason: 'malformed',
      detail: `receipt${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}`,
    };
  }
  const receipt = parsed.data;
  const key = expected.trusted.get(receipt.key_id);
  if (!key)
    return {
      ok: false,
      reason: 'untrusted_key',
      detail: `the receipt is signed by ${receipt.key_id}, which is not in actions.trusted_keys`,
    };
  const signature = decodeSignature(receipt.signature);
  if (!signature || !verify(null, receiptSigningInput(receipt), key.key, signature)) {
    return {
      ok: false,
      reason: 'bad_signature',
      detail: `the receipt's signature does not verify with ${receipt.key_id}`,
    };
  }
  if (receipt.agent_id !== expected.agentId || receipt.action !== expected.action) {
    return {
      ok: false,
      reason: 'receipt_mismatch',
      detail: `the receipt is for ${receipt.action} by ${receipt.agent_id}, not ${expected.action} by ${expected.agentId}`,
    };
  }
  if (receipt.params_sha256 !== expected.paramsSha256)
    return {
      ok: false,
      reason: 'params_mismatch',
      detail: 'the receipt was issued for other params or another amount',
    };
  if (receipt.policy_hash !== expected.policyHash)
    return {
      ok: false,
      reason: 'policy_hash_mismatch',
      detail: `the receipt was issued under policy ${receipt.policy_hash}; the policy in force is ${expected.policyHash}`,
    };
  const stale = freshness(Date.parse(receipt.issued_at), expected.now, expected.maxAgeMs);
  if (stale) return { ok: false, reason: 'stale', detail: `the receipt is not fresh: ${stale}` };
  return { ok: true, signer: receipt.key_id };
}
