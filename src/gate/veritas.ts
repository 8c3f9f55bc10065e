// The compatibility endpoint's receipts (POST /api/v1/veritas-test): the shape of a hardware-rooted
// receipt scheme's conformance tests, checked by the same gate. Pure (no I/O).
//
//   signature = Ed25519 (base64, or 128 hex digits) by a trusted key over the RFC 8785 JSON of the
//               whole request body without veritas_receipt.signature; so every field, outer or
//               inner, is covered, and changing any of them makes the signature fail.
//
// RFC 8785 numbers are IEEE doubles: a GNSS time in nanoseconds is past 2^53, so send it as a string
// (a signer's canonical JSON of a big integer would not match its double).
import { verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../core/canonical-json.js';
import type { VerifierKey } from '../ledger/note.js';
import { decodeSignature, freshness, keyIdText, type DenyReason } from './receipt.js';

export const veritasReceiptSchema = z.strictObject({
  simulated: z.boolean(),
  receipt_id: z.string().min(1).max(256),
  outcome: z.string().min(1).max(64),
  policy_hash: z.string().min(1).max(256).optional(),
  state_fingerprint: z.string().max(1024).optional(),
  spacetime_anchor: z.strictObject({
    gnss_timestamp_ns: z.union([
      z.string().regex(/^\d{1,20}$/, 'must be nanoseconds since the epoch'),
      z.number().nonnegative(),
    ]),
    source: z.string().min(1).max(256),
  }),
  signature: z.string().min(1).max(512),
});

export type VeritasReceipt = z.infer<typeof veritasReceiptSchema>;

export interface VeritasExpectations {
  policyHash: string;
  now: number;
  maxAgeMs: number;
  trusted: ReadonlyMap<string, VerifierKey>;
  simulation?: { policy_hash: string; signature: string };
}

export type VeritasCheck =
  | { kind: 'valid'; receipt: VeritasReceipt; signer: string | null; simulated: boolean }
  | { kind: 'halt'; reason: string; detail: string }
  | { kind: 'deny'; reason: DenyReason; detail: string };

/** The signed bytes: the body's RFC 8785 JSON with veritas_receipt.signature left out. */
export function veritasSigningInput(body: Record<string, unknown>): Buffer {
  const receipt = { ...(body.veritas_receipt as Record<string, unknown>) };
  delete receipt.signature;
  return Buffer.from(canonicalJson({ ...body, veritas_receipt: receipt }), 'utf8');
}

export function checkVeritas(body: Record<string, unknown>, expected: VeritasExpectations): VeritasCheck {
  const raw = body.veritas_receipt;
  if (raw === undefined || raw === null)
    return {
      kind: 'halt',
      reason: 'receipt_required',
      detail: 'no veritas_receipt: the action is held until an approver releases it',
    };
  const parsed = veritasReceiptSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      kind: 'deny',
      reason: 'malformed',
      detail: `veritas_receipt${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}`,
    };
  }
  const receipt = parsed.data;
  if (receipt.outcome !== 'ALLOW')
    return {
      kind: 'halt',
      reason: 'receipt_outcome',
      detail: `the receipt's outcome is ${receipt.outcome}, not ALLOW: the action is held until an approver releases it`,
    };
  if (receipt.simulated) {
    const simulation = expected.simulation;
    if (!simulation)
      return {
        kind: 'deny',
        reason: 'simulation_disabled',
        detail: 'simulated receipts are accepted only when actions.simulation is configured (a conformance drill mode)',
      };
    if (receipt.policy_hash !== simulation.policy_hash || receipt.signature !== simulation.signature) {
      return {
        kind: 'deny',
        reason: 'simulation_mismatch',
        detail: "the simulated receipt's policy_hash or signature placeholder is not the configured one",
      };
    }
    return { kind: 'valid', receipt, signer: null, simulated: true };
  }
  const signature = decodeSignature(receipt.signature);
  const input = signature ? veritasSigningInput(body) : undefined;
  const signer =
    signature && input
      ? [...expected.trusted.values()].find((key) => verify(null, input, key.key, signature))
      : undefined;
  if (!signer)
    return {
      kind: 'deny',
      reason: 'bad_signature',
      detail: 'the receipt is not signed by any key in actions.trusted_keys, or a field was changed after signing',
    };
  if (receipt.policy_hash !== undefined && receipt.policy_hash !== expected.policyHash) {
    return {
      kind: 'deny',
      reason: 'policy_hash_mismatch',
      detail: `the receipt was issued under policy ${receipt.policy_hash}; the policy in force is ${expected.policyHash}`,
    };
  }
  const stale = freshness(Number(receipt.spacetime_anchor.gnss_timestamp_ns) / 1e6, expected.now, expected.maxAgeMs);
  if (stale) return { kind: 'deny', reason: 'stale', detail: `the receipt is not fresh: ${stale}` };
  return { kind: 'valid', receipt, signer: keyIdText(signer), simulated: false };
}
