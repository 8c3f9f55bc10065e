// Classification: every text of a request that leaves the gateway (messages of every role, text
// parts, tool-call arguments, tool results, image URLs) is run through the detectors; the labels
// found, plus those the caller declares, decide where the request may go. Callers can add labels,
// never remove one the detectors found.
import type { ChatRequest, ContentPart, EmbeddingsRequest } from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import { detect, type Span } from '../policy/detectors.js';

/** Where a text sits in the request, so redaction can rewrite it in place. */
export type TextLocation =
  | { kind: 'content'; message: number }
  | { kind: 'part'; message: number; part: number }
  | { kind: 'image'; message: number; part: number }
  | { kind: 'arguments'; message: number; call: number }
  | { kind: 'input'; index: number }
  /** The text parts of a message joined (labels only: redaction works part by part). */
  | { kind: 'joined'; message: number };

export interface Finding {
  location: TextLocation;
  text: string;
  spans: Span[];
}

export interface Classification {
  labels: string[];
  /** The labels the caller declared (a subset of `labels`). */
  declared: string[];
  /** Only the texts where something was found. */
  findings: Finding[];
}

const labelSyntax = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/** Labels from the `x-sovereign-labels` header and the body's `metadata.labels`. */
export function callerLabels(header: string | string[] | undefined, metadata: unknown): string[] {
  const labels: string[] = [];
  const headerText = Array.isArray(header) ? header.join(',') : header;
  if (headerText) labels.push(...headerText.split(','));
  const fromBody = (metadata as { labels?: unknown } | undefined)?.labels;
  if (typeof fromBody === 'string') labels.push(...fromBody.split(','));
  else if (Array.isArray(fromBody)) labels.push(...fromBody.map(String));
  const clean = labels.map((label) => label.trim().toLowerCase()).filter((label) => label !== '');
  for (const label of clean) {
    if (!labelSyntax.test(label) || label.length > 64) throw new GatewayError('invalid_request', `Invalid label "${label.slice(0, 64)}": labels are lowercase words separated by dots (pii.email, confidential).`, { param: 'x-sovereign-labels' });
  }
  return clean;
}

function scan(findings: Finding[], location: TextLocation, text: string | undefined | null): void {
  if (!text) return;
  const spans = detect(text);
  if (spans.length > 0) findings.push({ location, text, spans });
}

function percentDecoded(url: string): string {
  try {
    return decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return url;
  }
}

function finish(findings: Finding[], declared: readonly string[]): Classification {
  const labels = new Set<string>(declared);
  for (const finding of findings) for (const span of finding.spans) labels.add(span.label);
  return { labels: [...labels].sort(), declared: [...new Set(declared)].sort(), findings };
}

export function classifyChat(request: ChatRequest, declared: readonly string[]): Classification {
  const findings: Finding[] = [];
  request.messages.forEach((message, messageIndex) => {
    if (typeof message.content === 'string') scan(findings, { kind: 'content', message: messageIndex }, message.content);
    else if (Array.isArray(message.content)) {
      // A value split across two text parts reaches the model whole: scan the parts joined as well.
      const texts = message.content.filter((part) => part.type === 'text').map((part) => String((part as { text?: string }).text ?? ''));
      if (texts.length > 1) {
        const joined = detect(texts.join(''));
        if (joined.length > 0) findings.push({ location: { kind: 'joined', message: messageIndex }, text: texts.join(''), spans: joined });
      }
      message.content.forEach((part: ContentPart, partIndex) => {
        if (part.type === 'text') scan(findings, { kind: 'part', message: messageIndex, part: partIndex }, (part as { text?: string }).text);
        else if (part.type === 'image_url') {
          const url = (part as { image_url?: { url?: string } }).image_url?.url;
          // The bytes of an inline image are not text; its URL otherwise is, percent-decoded too
          // (an e-mail in a query string arrives as name%40example.org).
          if (url && !url.startsWith('data:')) {
            scan(findings, { kind: 'image', message: messageIndex, part: partIndex }, url);
            const decoded = percentDecoded(url);
            if (decoded !== url) scan(findings, { kind: 'image', message: messageIndex, part: partIndex }, decoded);
          }
        }
      });
    }
    message.tool_calls?.forEach((call, callIndex) => scan(findings, { kind: 'arguments', message: messageIndex, call: callIndex }, call.function.arguments));
  });
  return finish(findings, declared);
}

export function classifyEmbeddings(request: EmbeddingsRequest, declared: readonly string[]): Classification {
  const findings: Finding[] = [];
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  inputs.forEach((input, index) => {
    if (typeof input === 'string') scan(findings, { kind: 'input', index }, input);
  });
  return finish(findings, declared);
}
