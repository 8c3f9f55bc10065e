// What a handler learns about a call as it goes: the route decision, the attempts, the usage.
import type { Usage } from '../core/chat.js';
import type { Candidate } from '../pipeline/catalog.js';
import type { Attempt } from '../pipeline/dispatch.js';

/** Filled in by handlers as they learn it. */
export interface ExchangeOutcome {
  alias?: string;
  /** Labels found by the detectors or declared by the caller. */
  labels?: readonly string[];
  /** Where the detectors found each label (JSON paths, never the values), and how many more were left out. */
  findings?: { locations: ReadonlyArray<{ label: string; path: string; key?: true }>; omitted: number };
  /** What the model layer of the detectors did, when it ran. */
  deepScan?: { engine: string; outcome: string };
  /** Labels whose values were redacted before the request left. */
  redactedLabels?: readonly string[];
  candidate?: Candidate;
  attempts?: ReadonlyArray<Pick<Attempt, 'provider'> & { outcome: string }>;
  usage?: Usage;
  stream?: boolean;
  /** Set when a stream ended with an error event after its headers were sent. */
  streamError?: string;
}

