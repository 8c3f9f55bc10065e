// A ledger entry: the record of one call (or one event such as a key change), encoded as its
// RFC 8785 canonical JSON, which is the exact leaf the Merkle tree commits to. No prompt or answer
// text ever goes in: only SHA-256 digests of the exact bytes exchanged.
import canonicalize from 'canonicalize';

export const entryVersion = 1;
/** Entries must stay under 64 KiB. */
export const maxEntryBytes = 64 * 1024;

/** The call an entry records; a stream has an opening and a closing entry. */
export type EntryKind = 'chat' | 'messages' | 'embeddings' | 'stream_open' | 'stream_close';

export interface EntryRecord {
  v: number;
  kind: EntryKind;
  /** RFC 3339 with milliseconds, UTC. */
  time: string;
  request_id: string;
  tenant: string;
  endpoint: string;
  model_requested: string;
  provider: string | null;
  provider_model: string | null;
  jurisdiction: string | null;
  ownership: string | null;
  operator: string | null;
  labels: string[];
  policy_hash: string;
  outcome: 'ok' | 'error' | 'refused' | 'client_closed' | 'interrupted';
  status: number;
  error_code: string | null;
  request_sha256: string | null;
  response_sha256: string | null;
  /** The providers tried, in order, and how each attempt ended. */
  attempts: Array<{ provider: string; outcome: string }>;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** For a stream_close entry: the index of its stream_open entry. */
  open_index?: number;
  /** For a stream_close entry: bytes of SSE body delivered. */
  bytes_delivered?: number;
}

export class EntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryError';
  }
}

export function encodeEntry(record: EntryRecord): Buffer {
  const text = canonicalize(record);
  if (text === undefined) throw new EntryError('the entry cannot be encoded as JSON');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length >= maxEntryBytes) throw new EntryError(`the entry is ${bytes.length} bytes; entries must stay under ${maxEntryBytes}`);
  return bytes;
}

/** Parses leaf bytes and checks they are the canonical form of what they say (a non-canonical leaf was not written by this log). */
export function decodeEntry(leaf: Uint8Array): EntryRecord {
  let parsed: unknown;
  const text = Buffer.from(leaf).toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EntryError('the entry is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EntryError('the entry is not a JSON object');
  if (canonicalize(parsed) !== text) throw new EntryError('the entry is not in RFC 8785 canonical form');
  return parsed as EntryRecord;
}
