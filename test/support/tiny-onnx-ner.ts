// Writes real token-classification model directories the tests generate (nothing is downloaded here):
// an ONNX file encoded by hand (the protobuf wire format is small), a BERT-like config.json and a
// WordPiece tokenizer.json. The tiny model's weights are designed, so it labels chosen words as
// names and addresses (and nothing else), deterministically: names the regex detectors cannot find.
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Protobuf, as much as ONNX needs (https://protobuf.dev/programming-guides/encoding/): a field is a
// key varint (field number << 3 | wire type) then its value: wire type 0 a varint, 2 a length then
// bytes (strings, nested messages, packed numbers), 5 four little-endian bytes (a float).
// A message keeps its encoded pieces apart, so a large tensor's bytes are written, never copied.

export class ProtobufMessage {
  readonly pieces: Buffer[] = [];
  size = 0;

  private push(piece: Buffer): this {
    this.pieces.push(piece);
    this.size += piece.length;
    return this;
  }

  private key(field: number, wireType: 0 | 2 | 5): this {
    return this.push(varint(BigInt((field << 3) | wireType)));
  }

  /** int32, int64, enum (negative numbers as 64-bit two's complement, as protobuf does). */
  integer(field: number, value: number | bigint): this {
    return this.key(field, 0).push(varint(BigInt.asUintN(64, BigInt(value))));
  }

  float(field: number, value: number): this {
    const piece = Buffer.alloc(4);
    piece.writeFloatLE(value);
    return this.key(field, 5).push(piece);
  }

  bytes(field: number, value: Buffer | ProtobufMessage): this {
    this.key(field, 2);
    if (value instanceof ProtobufMessage) {
      this.push(varint(BigInt(value.size)));
      for (const piece of value.pieces) this.push(piece);
      return this;
    }
    return this.push(varint(BigInt(value.length))).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }
}

function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return Buffer.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// ONNX (onnx/onnx.proto, IR version 9): the field numbers of the messages a plain graph uses.

export const onnxType = { float: 1, int64: 7 } as const;

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian values). */
export function tensor(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): ProtobufMessage {
  const message = new ProtobufMessage();
  for (const dim of dims) message.integer(1, dim);
  message.integer(2, data instanceof Float32Array ? onnxType.float : onnxType.int64);
  message.string(8, name);
  return message.bytes(9, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

export type Attribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: readonly number[] };

/** AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20 (FLOAT 1, INT 2, INTS 7). */
function attribute(value: Attribute): ProtobufMessage {
  const message = new ProtobufMessage().string(1, value.name);
  if ('int' in value) return message.integer(3, value.int).integer(20, 2);
  if ('float' in value) return message.float(2, value.float).integer(20, 1);
  for (const item of value.ints) message.integer(8, item);
  return message.integer(20, 7);
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
export function node(
  operator: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: readonly Attribute[] = [],
): ProtobufMessage {
  const message = new ProtobufMessage();
  for (const input of inputs) message.string(1, input);
  for (const output of outputs) message.string(2, output);
  message.string(3, `${operator}_${outputs[0]}`).string(4, operator);
  for (const value of attributes) message.bytes(5, attribute(value));
  return message;
}

/**
 * ValueInfoProto (name = 1, type = 2) → TypeProto.tensor_type = 1 → elem_type = 1, shape = 2 → dim = 1 → dim_value = 1
 * | dim_param = 2.
 */
export function valueInfo(name: string, elementType: number, shape: ReadonlyArray<number | string>): ProtobufMessage {
  const dims = new ProtobufMessage();
  for (const dim of shape)
    dims.bytes(
      1,
      typeof dim === 'number' ? new ProtobufMessage().integer(1, dim) : new ProtobufMessage().string(2, dim),
    );
  const tensorType = new ProtobufMessage().integer(1, elementType).bytes(2, dims);
  return new ProtobufMessage().string(1, name).bytes(2, new ProtobufMessage().bytes(1, tensorType));
}

export interface Graph {
  nodes: ProtobufMessage[];
  initializers: ProtobufMessage[];
  inputs: ProtobufMessage[];
  outputs: ProtobufMessage[];
}

/**
 * ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 (domain = 1, version = 2); GraphProto:
 * node = 1, name = 2, initializer = 5, input = 11, output = 12.
 */
export function model(graph: Graph, opset = 17): ProtobufMessage {
  const body = new ProtobufMessage();
  for (const item of graph.nodes) body.bytes(1, item);
  body.string(2, 'graph');
  for (const item of graph.initializers) body.bytes(5, item);
  for (const item of graph.inputs) body.bytes(11, item);
  for (const item of graph.outputs) body.bytes(12, item);
  return new ProtobufMessage()
    .integer(1, 9)
    .string(2, 'sovereign-gateway tests')
    .bytes(7, body)
    .bytes(8, new ProtobufMessage().string(1, '').integer(2, opset));
}

/** Writes a message piece by piece (a BERT-base model is ~700 MB: no single buffer of it is made). */
export function writeMessage(file: string, message: ProtobufMessage): void {
  const descriptor = openSync(file, 'w');
  try {
    for (const piece of message.pieces) writeSync(descriptor, piece);
  } finally {
    closeSync(descriptor);
  }
}

// ---------------------------------------------------------------------------------------------
// The files of a BERT token-classification model directory, as transformers.js reads them.

/** tokenizer.json of a (lowercasing or cased) BERT WordPiece tokenizer: [CLS] text [SEP]. */
export function writeBertTokenizer(
  directory: string,
  vocabulary: readonly string[],
  options: { lowercase: boolean; maxLength: number },
): void {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const id = (token: string): number => vocabulary.indexOf(token);
  for (const token of special) if (id(token) < 0) throw new Error(`the vocabulary lacks ${token}`);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: options.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [id(token)], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, index) => [token, index])),
    },
  };
  writeFileSync(join(directory, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(directory, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: options.lowercase,
      model_max_length: options.maxLength,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
}

export function writeBertConfig(directory: string, labels: readonly string[], fields: Record<string, unknown>): void {
  writeFileSync(
    join(directory, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      architectures: ['BertForTokenClassification'],
      id2label: Object.fromEntries(labels.map((label, index) => [String(index), label])),
      label2id: Object.fromEntries(labels.map((label, index) => [label, index])),
      ...fields,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The tiny model: logits = embedding[input_ids] · W + b, with W the identity and b favouring "O",
// so each token's embedding row is its logits less the bias. It reads no context, which is what
// makes its answers known in advance.

export const tinyNerLabels = [
  'O',
  'B-PER',
  'I-PER',
  'B-ORG',
  'I-ORG',
  'B-LOC',
  'I-LOC',
  'B-ADDRESS',
  'I-ADDRESS',
] as const;

/** The words the tiny model was made to find, and the entity each is labelled with (its first sub-token decides). */
export const tinyNerEntities: Record<string, (typeof tinyNerLabels)[number]> = {
  quintavius: 'B-PER',
  zorblax: 'I-PER',
  glimmerstrasse: 'B-ADDRESS',
  vexmoor: 'I-ADDRESS',
  acmecorp: 'B-ORG',
  paris: 'B-LOC',
  /** Labelled B-PER with probability 0.4 only (the other eight labels share the rest): below the default min_score. */
  mumblefrotz: 'B-PER',
};

export const tinyNerVocabulary: readonly string[] = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'the',
  'dr',
  '.',
  ',',
  ':',
  'lives',
  'at',
  'and',
  'met',
  'in',
  'hello',
  'works',
  'for',
  'wrote',
  'to',
  'a',
  'letter',
  'is',
  'here',
  'quintavius',
  'zorblax',
  '##ian',
  'glimmerstrasse',
  'vexmoor',
  'acmecorp',
  'paris',
  'mumblefrotz',
];

const bias = 4;
const confident = 10;

function logitsOf(token: string): number[] {
  const row = new Array<number>(tinyNerLabels.length).fill(0);
  const entity = tinyNerEntities[token];
  if (!entity) {
    row[0] = bias; // "O" with probability e^4 / (e^4 + 8) ≈ 0.87
    return row;
  }
  if (token === 'mumblefrotz') {
    const other = 0.6 / (tinyNerLabels.length - 1);
    return row.map((_, index) => (index === tinyNerLabels.indexOf(entity) ? Math.log(0.4) : Math.log(other)));
  }
  row[tinyNerLabels.indexOf(entity)] = confident; // probability e^10 / (e^10 + 8) ≈ 0.9997
  return row;
}

export interface TinyNerOptions {
  /**
   * The model's max_position_embeddings and the tokenizer's model_max_length: small values make the scanner use
   * windows.
   */
  maxLength?: number;
  /** Leave out one of the files (for the tests of an incomplete directory). */
  without?: 'config.json' | 'tokenizer.json' | 'tokenizer_config.json' | 'onnx/model.onnx';
}

/**
 * Writes the tiny model's directory (embedding rows are the wanted logits less the bias): config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model.onnx (2 KB; the directory, 4 KB).
 */
export function writeTinyOnnxNer(directory: string, options: TinyNerOptions = {}): void {
  const maxLength = options.maxLength ?? 512;
  const labels = tinyNerLabels.length;
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  const embedding = new Float32Array(tinyNerVocabulary.length * labels);
  for (const [index, token] of tinyNerVocabulary.entries()) {
    const row = logitsOf(token);
    row[0]! -= bias;
    embedding.set(row, index * labels);
  }
  const identity = new Float32Array(labels * labels);
  for (let index = 0; index < labels; index += 1) identity[index * labels + index] = 1;
  const offsets = new Float32Array(labels);
  offsets[0] = bias;
  const graph: Graph = {
    nodes: [
      node('Gather', ['embedding', 'input_ids'], ['embedded'], [{ name: 'axis', int: 0 }]),
      node('MatMul', ['embedded', 'projection'], ['projected']),
      node('Add', ['projected', 'bias'], ['logits']),
    ],
    initializers: [
      tensor('embedding', [tinyNerVocabulary.length, labels], embedding),
      tensor('projection', [labels, labels], identity),
      tensor('bias', [labels], offsets),
    ],
    // attention_mask and token_type_ids are inputs as in an exported BERT, unused by this graph.
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((name) =>
      valueInfo(name, onnxType.int64, ['batch_size', 'sequence_length']),
    ),
    outputs: [valueInfo('logits', onnxType.float, ['batch_size', 'sequence_length', labels])],
  };
  writeMessage(join(directory, 'onnx', 'model.onnx'), model(graph));
  writeBertTokenizer(directory, tinyNerVocabulary, { lowercase: true, maxLength });
  writeBertConfig(directory, tinyNerLabels, {
    max_position_embeddings: maxLength,
    vocab_size: tinyNerVocabulary.length,
    hidden_size: labels,
  });
  if (options.without) rmSync(join(directory, options.without));
}
