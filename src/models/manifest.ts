// Signed manifests of registered weights, in the OpenSSF model signing format (sigstore/model-
// transparency, v1.0): a DSSE envelope over an in-toto Statement v1 whose predicate lists each file
// with its SHA-256, signed here with the gateway's Ed25519 key (the ledger's signing key). Pure.
//
//   subject:   [{ name: <model name>, digest: { sha256: SHA-256 of the resources' digests, in name order } }]
//   predicate: { serialization: { method: "files", hash_type: "sha256", … }, resources: [{ name, algorithm: "sha256",
// digest }] }
//
// The registry's own description of the model (size, GGUF metadata, licence, who added it, when)
// travels as the subject's annotations, so it is signed too.
import { createHash, sign, verify } from 'node:crypto';
import type { SignerKey, VerifierKey } from '../ledger/note.js';

export const payloadType = 'application/vnd.in-toto+json';
export const statementType = 'https://in-toto.io/Statement/v1';
export const predicateType = 'https://model_signing/signature/v1.0';

export interface Resource {
  name: string;
  sha256: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** base64 of the Statement's JSON. */
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

export interface Statement {
  _type: string;
  subject: Array<{ name: string; digest: { sha256: string }; annotations?: Record<string, unknown> }>;
  predicateType: string;
  predicate: {
    serialization: { method: 'files'; hash_type: 'sha256'; allow_symlinks: boolean; ignore_paths: string[] };
    resources: Array<{ name: string; algorithm: 'sha256'; digest: string }>;
  };
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

function rootDigest(resources: readonly Resource[]): string {
  const hash = createHash('sha256');
  for (const resource of [...resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    hash.update(Buffer.from(resource.sha256, 'hex'));
  return hash.digest('hex');
}

export function buildStatement(
  name: string,
  resources: readonly Resource[],
  annotations: Record<string, unknown>,
): Statement {
  return {
    _type: statementType,
    subject: [{ name, digest: { sha256: rootDigest(resources) }, annotations }],
    predicateType,
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, ignore_paths: [] },
      resources: resources.map((resource) => ({ name: resource.name, algorithm: 'sha256', digest: resource.sha256 })),
    },
  };
}

/** DSSE's pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body. */
export function preAuthenticationEncoding(type: string, body: Buffer): Buffer {
  const typeBytes = Buffer.from(type, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${typeBytes.length} `, 'utf8'),
    typeBytes,
    Buffer.from(` ${body.length} `, 'utf8'),
    body,
  ]);
}

const keyIdOf = (key: VerifierKey): string => `${key.name}+${key.keyId.toString(16).padStart(8, '0')}`;

export function signStatement(statement: Statement, signer: SignerKey): DsseEnvelope {
  const body = Buffer.from(JSON.stringify(statement), 'utf8');
  return {
    payloadType,
    payload: body.toString('base64'),
    signatures: [
      {
        keyid: keyIdOf(signer),
        sig: sign(null, preAuthenticationEncoding(payloadType, body), signer.privateKey).toString('base64'),
      },
    ],
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Verifies the envelope with the key and returns its statement; throws a ManifestError otherwise. The envelope may come
 * from a hub mirror, so every field is checked before use: a malformed one is a ManifestError, never a TypeError.
 */
export function openEnvelope(envelope: unknown, key: VerifierKey): Statement {
  if (!isObject(envelope)) throw new ManifestError('the manifest is not a DSSE envelope (a JSON object)');
  if (envelope.payloadType !== payloadType)
    throw new ManifestError(`the manifest's payload type is not ${payloadType}`);
  if (typeof envelope.payload !== 'string') throw new ManifestError("the manifest's payload is not base64 text");
  if (!Array.isArray(envelope.signatures)) throw new ManifestError("the manifest's signatures are not a list");
  const body = Buffer.from(envelope.payload, 'base64');
  const signature = envelope.signatures.find(
    (candidate): candidate is { keyid: string; sig: unknown } =>
      isObject(candidate) && candidate.keyid === keyIdOf(key),
  );
  if (!signature) throw new ManifestError(`the manifest is not signed by ${keyIdOf(key)}`);
  const signatureBytes = typeof signature.sig === 'string' ? Buffer.from(signature.sig, 'base64') : undefined;
  // Ed25519 signatures are 64 bytes (RFC 8032 §5.1.6); anything else cannot verify.
  if (
    signatureBytes?.length !== 64 ||
    !verify(null, preAuthenticationEncoding(payloadType, body), key.key, signatureBytes)
  )
    throw new ManifestError('the manifest signature does not verify');
  let statement: unknown;
  try {
    statement = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ManifestError('the manifest payload is not JSON');
  }
  // Signed by a trusted key, but checked all the same: a key signs what a registry wrote, not what every reader needs.
  if (!isObject(statement) || statement._type !== statementType || statement.predicateType !== predicateType)
    throw new ManifestError('the manifest is not a model signing statement');
  const resources = isObject(statement.predicate) ? statement.predicate.resources : undefined;
  if (
    !Array.isArray(resources) ||
    !resources.every(
      (resource) =>
        isObject(resource) &&
        typeof resource.name === 'string' &&
        typeof resource.digest === 'string' &&
        /^[0-9a-f]{64}$/.test(resource.digest),
    )
  )
    throw new ManifestError("the manifest's resources are not a list of names with SHA-256 digests");
  const subject = Array.isArray(statement.subject) ? statement.subject[0] : undefined;
  const digest = isObject(subject) && isObject(subject.digest) ? subject.digest.sha256 : undefined;
  if (
    digest !==
    rootDigest(
      (resources as Array<{ name: string; digest: string }>).map((resource) => ({
        name: resource.name,
        sha256: resource.digest,
      })),
    )
  ) {
    throw new ManifestError("the manifest's subject digest does not match its resources");
  }
  return statement as unknown as Statement;
}
