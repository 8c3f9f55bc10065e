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

/** Verifies the envelope with the key and returns its statement; throws a ManifestError otherwise. */
export function openEnvelope(envelope: DsseEnvelope, key: VerifierKey): Statement {
  if (envelope.payloadType !== payloadType)
    throw new ManifestError(`the manifest's payload type is ${envelope.payloadType}, not ${payloadType}`);
  const body = Buffer.from(envelope.payload, 'base64');
  const signature = envelope.signatures.find((candidate) => candidate.keyid === keyIdOf(key));
  if (!signature) throw new ManifestError(`the manifest is not signed by ${keyIdOf(key)}`);
  if (
    !verify(null, preAuthenticationEncoding(envelope.payloadType, body), key.key, Buffer.from(signature.sig, 'base64'))
  )
    throw new ManifestError('the manifest signature does not verify');
  let statement: Statement;
  try {
    statement = JSON.parse(body.toString('utf8')) as Statement;
  } catch {
    throw new ManifestError('the manifest payload is not JSON');
  }
  if (statement._type !== statementType || statement.predicateType !== predicateType)
    throw new ManifestError('the manifest is not a model signing statement');
  if (
    statement.subject?.[0]?.digest?.sha256 !==
    rootDigest(
      (statement.predicate?.resources ?? []).map((resource) => ({ name: resource.name, sha256: resource.digest })),
    )
  ) {
    throw new ManifestError("the manifest's subject digest does not match its resources");
  }
  return statement;
}
