// Applies redaction to a request wherever its findings sit, checks the redacted request again, and
// undoes the redaction in the answer.
import type { ChatRequest, ChatResponse, StreamChunk } from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import type { ChatStream, StreamEvent } from '../core/provider.js';
import { Placeholders, placeholdersIn, redactText, restoreText, StreamRestorer } from '../policy/redaction.js';
import type { Finding, PathSegment } from '../policy/scan.js';
import { classifyRequest, type Classification, type ClassifySettings } from './classify.js';

export interface Redacted {
  request: ChatRequest;
  placeholders: Placeholders;
  labels: string[];
}

/**
 * Content parts that are images: a value found in one (its URL, its bytes), or bytes the gateway cannot read, withhold
 * the whole image.
 */
const imagePartTypes = new Set(['image_url', 'input_image', 'image']);

const refuse = (why: string): GatewayError => new GatewayError('no_allowed_provider', `Refused by policy: ${why}`);

function at(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) node = (node as Record<PathSegment, unknown> | undefined)?.[segment];
  return node;
}

const isPrefix = (prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean =>
  prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);

/** The path of the image part a path lies in, if it lies in one. */
function imagePartOf(root: unknown, path: readonly PathSegment[]): readonly PathSegment[] | undefined {
  for (let length = path.length - 1; length >= 1; length -= 1) {
    if (typeof path[length - 1] !== 'number') continue;
    const node = at(root, path.slice(0, length)) as { type?: unknown } | undefined;
    if (node && typeof node === 'object' && typeof node.type === 'string' && imagePartTypes.has(node.type))
      return path.slice(0, length);
  }
  return undefined;
}

/** For a finding inside a JSON text held in a string: the path of that string. */
function owningString(root: unknown, path: readonly PathSegment[]): readonly PathSegment[] {
  for (let length = 1; length <= path.length; length += 1)
    if (typeof at(root, path.slice(0, length)) === 'string') return path.slice(0, length);
  return path;
}

const spanTexts = (finding: Finding): string[] => finding.spans.map((span) => finding.text.slice(span.start, span.end));

/**
 * A redacted copy of the request: every value found is replaced by its placeholder wherever it
 * sits (message text, tool definitions, metadata, unknown fields, object keys, numbers); an image
 * holding one, or whose bytes cannot be read, is withheld. A value found only in a decoded form of
 * a string (percent escapes, Unicode read as letters) replaces the whole string, unless the string
 * is a JSON text; one found only behind \u escapes, inside a JSON text's structure or in a file
 * cannot be made safe by replacing text. Refuses (fails closed) what it cannot make safe — that, labels
 * the caller declared, a value split across content parts, content the gateway cannot read — and
 * refuses if the redacted request, scanned again, still carries anything.
 */
export async function redactChat(
  request: ChatRequest,
  classification: Classification,
  settings: ClassifySettings,
): Promise<Redacted> {
  const { declared, findings, opaque } = classification;
  if (declared.length > 0)
    throw refuse(`the request carries declared labels (${declared.join(', ')}) that redaction cannot remove.`);
  const copy = structuredClone(request);
  // Placeholder-shaped text already in the request is never handed out: it would come back as a value.
  const placeholders = new Placeholders(placeholdersIn(classification.targets.map((target) => target.text)));
  const withheld: Array<readonly PathSegment[]> = [];
  const withhold = (image: readonly PathSegment[]): void => {
    if (!withheld.some((path) => isPrefix(path, image))) withheld.push(image);
  };
  for (const content of opaque) {
    const image = imagePartOf(copy, content.path);
    if (!image)
      throw refuse(
        `the request carries content the gateway cannot read (opaque.${content.kind}), which redaction cannot make safe.`,
      );
    withhold(image);
  }
  // Findings grouped by the string (or key, or number) they were found in.
  const groups = new Map<string, { path: readonly PathSegment[]; where: 'value' | 'key'; findings: Finding[] }>();
  for (const finding of findings) {
    if (finding.where === 'joined') {
      // A span that crosses from one part into the next is a value no single part holds.
      const parts = finding.parts ?? [];
      for (const span of finding.spans) {
        const part = parts.findLastIndex((entry) => entry.start <= span.start);
        const next = parts[part + 1];
        if (next && span.end > next.start)
          throw refuse('a sensitive value is split across message parts, so it cannot be redacted.');
      }
      continue;
    }
    const image = imagePartOf(copy, finding.path);
    if (image) {
      withhold(image);
      continue;
    }
    const path = finding.encoding === 'json' ? owningString(copy, finding.path) : finding.path;
    const where = finding.encoding === 'json' && path.length < finding.path.length ? 'value' : finding.where;
    const id = `${where} ${JSON.stringify(path)}`;
    const group = groups.get(id) ?? { path, where, findings: [] };
    group.findings.push(finding);
    groups.set(id, group);
  }
  const inWithheld = (path: readonly PathSegment[]): boolean => withheld.some((image) => isPrefix(image, path));
  const renames: Array<{ path: readonly PathSegment[]; raw: Finding }> = [];
  for (const { path, where, findings: group } of groups.values()) {
    if (inWithheld(path)) continue;
    const raw = group.find((finding) => finding.encoding === 'none' && finding.path.length === path.length);
    const rawValues = new Set(raw ? spanTexts(raw) : []);
    const uncovered = group.filter(
      (finding) => finding !== raw && spanTexts(finding).some((value) => !rawValues.has(value)),
    );
    if (uncovered.some((finding) => finding.encoding === 'base64'))
      throw refuse('a sensitive value sits inside an encoded file, so it cannot be redacted.');
    if (uncovered.some((finding) => finding.encoding === 'escape'))
      throw refuse('a sensitive value is written with \\u escapes, so it cannot be redacted in place.');
    if (uncovered.some((finding) => finding.encoding === 'json'))
      throw refuse(
        'a sensitive value inside a JSON text (tool-call arguments) is written in a form that cannot be redacted in place.',
      );
    if (where === 'key') {
      if (uncovered.length > 0)
        throw refuse('a sensitive value in an object key is written in a form that cannot be redacted in place.');
      if (raw) renames.push({ path, raw });
      continue;
    }
    const parent = at(copy, path.slice(0, -1)) as Record<PathSegment, unknown>;
    const key = path[path.length - 1]!;
    const original = parent[key];
    const source = String(original);
    const decoded = uncovered[0];
    if (decoded && typeof original === 'string' && /^\s*[[{]/.test(original))
      throw refuse(
        'a sensitive value inside a JSON text (tool-call arguments) is written in a form that cannot be redacted in place.',
      );
    // A number becomes a string placeholder; so does a string whose value was found only once decoded.
    if (typeof original === 'number' || decoded)
      parent[key] = placeholders.placeholderFor((decoded ?? raw ?? group[0]!).spans[0]!.label, source);
    else if (raw) parent[key] = redactText(source, raw.spans, placeholders);
  }
  // Keys last, deepest first, so the paths of the others still hold when each is renamed.
  for (const { path, raw } of renames.sort((a, b) => b.path.length - a.path.length)) {
    const parent = at(copy, path.slice(0, -1)) as Record<string, unknown>;
    const key = path[path.length - 1] as string;
    const renamed = redactText(key, raw.spans, placeholders);
    if (Object.hasOwn(parent, renamed))
      throw refuse('a redacted object key would replace another key, so it cannot be redacted.');
    const entries = Object.entries(parent).map(([name, value]) => [name === key ? renamed : name, value] as const);
    for (const name of Object.keys(parent)) delete parent[name];
    for (const [name, value] of entries) parent[name] = value;
  }
  for (const path of withheld) {
    // An image cannot be partly kept: it is dropped, and the model is told so.
    (at(copy, path.slice(0, -1)) as unknown[])[path[path.length - 1] as number] = {
      type: 'text',
      text: '[image withheld by policy]',
    };
  }
  const again = await classifyRequest(copy, [], settings);
  if (again.labels.length > 0)
    throw refuse(`redaction could not remove everything sensitive (labels still found: ${again.labels.join(', ')}).`);
  const labels = [
    ...new Set([
      ...findings
        .filter((finding) => finding.where !== 'joined')
        .flatMap((finding) => finding.spans.map((span) => span.label)),
      ...opaque.map((content) => `opaque.${content.kind}`),
    ]),
  ].sort();
  return { request: copy, placeholders, labels };
}

export function restoreResponse(response: ChatResponse, placeholders: Placeholders): ChatResponse {
  return {
    ...response,
    choices: response.choices.map((choice) => ({
      ...choice,
      message: {
        ...choice.message,
        content:
          typeof choice.message.content === 'string'
            ? restoreText(choice.message.content, placeholders)
            : choice.message.content,
        ...(choice.message.tool_calls
          ? {
              tool_calls: choice.message.tool_calls.map((call) => ({
                ...call,
                function: { ...call.function, arguments: restoreText(call.function.arguments, placeholders) },
              })),
            }
          : {}),
      },
    })),
  };
}

/** Restores placeholders across a stream's content and tool-call argument deltas. */
export function restoreStream(stream: ChatStream, placeholders: Placeholders): ChatStream {
  const content = new Map<number, StreamRestorer>();
  const argumentsByCall = new Map<string, StreamRestorer>();
  const restorer = (map: Map<number | string, StreamRestorer>, key: number | string): StreamRestorer => {
    let found = map.get(key);
    if (!found) map.set(key, (found = new StreamRestorer(placeholders)));
    return found;
  };
  const transform = (event: StreamEvent): StreamEvent => {
    const chunk: StreamChunk = {
      ...event.chunk,
      choices: event.chunk.choices.map((choice) => {
        const delta = { ...choice.delta };
        if (typeof delta.content === 'string') {
          delta.content = restorer(content as Map<number | string, StreamRestorer>, choice.index).push(delta.content);
          // The answer is over: whatever was held back goes out with it.
          if (choice.finish_reason)
            delta.content += restorer(content as Map<number | string, StreamRestorer>, choice.index).flush();
        } else if (choice.finish_reason) {
          const rest = restorer(content as Map<number | string, StreamRestorer>, choice.index).flush();
          if (rest) delta.content = rest;
        }
        if (delta.tool_calls)
          delta.tool_calls = delta.tool_calls.map((call) =>
            call.function?.arguments === undefined
              ? call
              : {
                  ...call,
                  function: {
                    ...call.function,
                    arguments: restorer(
                      argumentsByCall as Map<number | string, StreamRestorer>,
                      `${choice.index}:${call.index}`,
                    ).push(call.function.arguments),
                  },
                },
          );
        if (choice.finish_reason) {
          for (const [key, pending] of argumentsByCall) {
            const [choiceIndex, callIndex] = key.split(':').map(Number) as [number, number];
            const rest = choiceIndex === choice.index ? pending.flush() : '';
            if (rest)
              delta.tool_calls = [...(delta.tool_calls ?? []), { index: callIndex, function: { arguments: rest } }];
          }
        }
        return { ...choice, delta };
      }),
    };
    // The bytes changed: the client's dialect writer re-serialises this event.
    return { chunk };
  };
  return {
    cancel: () => stream.cancel(),
    [Symbol.asyncIterator]() {
      const inner = stream[Symbol.asyncIterator]();
      return {
        next: async () => {
          const result = await inner.next();
          return result.done ? result : { done: false, value: transform(result.value) };
        },
        return: async () => {
          stream.cancel();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
