// Writes real GGUF files (v3) small enough to generate in a test: a llama-architecture model with a
// byte-level vocabulary, random (seeded) F32 weights and a ChatML chat template, and LoRA adapters
// for it. No weights can be downloaded here, so the tests make their own; what the model says is
// gibberish, but llama.cpp loads and runs it like any other model.
import { writeFileSync } from 'node:fs';

enum ValueType {
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  Uint64 = 10,
}

type Value =
  | { type: ValueType.Uint32 | ValueType.Int32 | ValueType.Float32 | ValueType.Uint64; value: number }
  | { type: ValueType.String; value: string }
  | { type: ValueType.Bool; value: boolean }
  | { type: ValueType.Array; of: ValueType.String; value: string[] }
  | { type: ValueType.Array; of: ValueType.Float32 | ValueType.Int32; value: number[] };

const u32 = (value: number): Value => ({ type: ValueType.Uint32, value });
const f32 = (value: number): Value => ({ type: ValueType.Float32, value });
const str = (value: string): Value => ({ type: ValueType.String, value });

class Writer {
  private readonly pieces: Buffer[] = [];
  size = 0;
  push(piece: Buffer): void {
    this.pieces.push(piece);
    this.size += piece.length;
  }
  u32(value: number): void {
    const piece = Buffer.alloc(4);
    piece.writeUInt32LE(value);
    this.push(piece);
  }
  u64(value: number | bigint): void {
    const piece = Buffer.alloc(8);
    piece.writeBigUInt64LE(BigInt(value));
    this.push(piece);
  }
  string(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  scalar(type: ValueType, value: number | string | boolean): void {
    const piece = Buffer.alloc(type === ValueType.Uint64 ? 8 : type === ValueType.Bool ? 1 : 4);
    if (type === ValueType.String) {
      this.string(value as string);
      return;
    }
    if (type === ValueType.Uint32) piece.writeUInt32LE(value as number);
    else if (type === ValueType.Int32) piece.writeInt32LE(value as number);
    else if (type === ValueType.Float32) piece.writeFloatLE(value as number);
    else if (type === ValueType.Bool) piece.writeUInt8(value ? 1 : 0);
    else piece.writeBigUInt64LE(BigInt(value as number));
    this.push(piece);
  }
  value(value: Value): void {
    this.u32(value.type);
    if (value.type === ValueType.Array) {
      this.u32(value.of);
      this.u64(value.value.length);
      for (const item of value.value) this.scalar(value.of, item);
    } else this.scalar(value.type, value.value);
  }
  pad(alignment: number): void {
    const rest = this.size % alignment;
    if (rest) this.push(Buffer.alloc(alignment - rest));
  }
  concat(): Buffer {
    return Buffer.concat(this.pieces, this.size);
  }
}

interface Tensor {
  name: string;
  /** GGUF order: ne[0] is the row length (a matrix's input size). */
  dims: number[];
  data: Float32Array;
}

const alignment = 32;

function writeGguf(file: string, metadata: Record<string, Value>, tensors: Tensor[]): void {
  const writer = new Writer();
  writer.push(Buffer.from('GGUF', 'ascii'));
  writer.u32(3);
  writer.u64(tensors.length);
  writer.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    writer.string(key);
    writer.value(value);
  }
  let offset = 0;
  for (const tensor of tensors) {
    writer.string(tensor.name);
    writer.u32(tensor.dims.length);
    for (const dim of tensor.dims) writer.u64(dim);
    writer.u32(0); // F32
    writer.u64(offset);
    offset += Math.ceil((tensor.data.length * 4) / alignment) * alignment;
  }
  writer.pad(alignment);
  for (const tensor of tensors) {
    writer.push(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    writer.pad(alignment);
  }
  writeFileSync(file, writer.concat());
}

/** mulberry32: a seeded generator, so a model written twice is byte-identical. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const tinyShape = { embedding: 64, layers: 2, heads: 4, feedForward: 128, context: 512 };

export const chatMlTemplate =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The vocabulary: <unk>, <s>, </s>, the two ChatML markers, then one token per byte. */
function vocabulary(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
  const types = [2, 3, 3, 3, 3]; // unknown, control…
  for (let byte = 0; byte < 256; byte += 1) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // byte
  }
  return { tokens, scores: tokens.map(() => 0), types };
}

export interface TinyModelOptions {
  seed?: number;
  name?: string;
  license?: string;
  /** Leave out the chat template (the registry reports it). */
  withoutChatTemplate?: boolean;
  /** Adds an unused tensor of about this many bytes (for benchmarks of hashing large files). */
  paddingBytes?: number;
  /** The training context it declares (default tinyShape.context): room for longer prompts, such as a judge's. */
  context?: number;
}

/** Writes a tiny llama model; about 700 KB with the default shape. */
export function writeTinyModel(file: string, options: TinyModelOptions = {}): void {
  const next = random(options.seed ?? 42);
  const weights = (count: number, scale = 0.08): Float32Array =>
    Float32Array.from({ length: count }, () => (next() * 2 - 1) * scale);
  const ones = (count: number): Float32Array => new Float32Array(count).fill(1);
  const { embedding: n, layers, heads, feedForward: ff } = tinyShape;
  const context = options.context ?? tinyShape.context;
  const vocab = vocabulary();
  const metadata: Record<string, Value> = {
    'general.architecture': str('llama'),
    'general.name': str(options.name ?? 'tiny-test-llama'),
    'general.license': str(options.license ?? 'apache-2.0'),
    'general.file_type': u32(0),
    'llama.context_length': u32(context),
    'llama.embedding_length': u32(n),
    'llama.block_count': u32(layers),
    'llama.feed_forward_length': u32(ff),
    'llama.attention.head_count': u32(heads),
    'llama.attention.head_count_kv': u32(heads),
    'llama.rope.dimension_count': u32(n / heads),
    'llama.attention.layer_norm_rms_epsilon': f32(1e-5),
    'llama.vocab_size': u32(vocab.tokens.length),
    'tokenizer.ggml.model': str('llama'),
    'tokenizer.ggml.tokens': { type: ValueType.Array, of: ValueType.String, value: vocab.tokens },
    'tokenizer.ggml.scores': { type: ValueType.Array, of: ValueType.Float32, value: vocab.scores },
    'tokenizer.ggml.token_type': { type: ValueType.Array, of: ValueType.Int32, value: vocab.types },
    'tokenizer.ggml.unknown_token_id': u32(0),
    'tokenizer.ggml.bos_token_id': u32(1),
    'tokenizer.ggml.eos_token_id': u32(4),
    'tokenizer.ggml.add_bos_token': { type: ValueType.Bool, value: true },
    'tokenizer.ggml.add_space_prefix': { type: ValueType.Bool, value: false },
  };
  if (!options.withoutChatTemplate) metadata['tokenizer.chat_template'] = str(chatMlTemplate);
  const tensors: Tensor[] = [
    { name: 'token_embd.weight', dims: [n, vocab.tokens.length], data: weights(n * vocab.tokens.length, 0.5) },
    { name: 'output_norm.weight', dims: [n], data: ones(n) },
    { name: 'output.weight', dims: [n, vocab.tokens.length], data: weights(n * vocab.tokens.length, 0.5) },
  ];
  for (let layer = 0; layer < layers; layer += 1) {
    const block = `blk.${layer}`;
    tensors.push(
      { name: `${block}.attn_norm.weight`, dims: [n], data: ones(n) },
      { name: `${block}.attn_q.weight`, dims: [n, n], data: weights(n * n) },
      { name: `${block}.attn_k.weight`, dims: [n, n], data: weights(n * n) },
      { name: `${block}.attn_v.weight`, dims: [n, n], data: weights(n * n) },
      { name: `${block}.attn_output.weight`, dims: [n, n], data: weights(n * n) },
      { name: `${block}.ffn_norm.weight`, dims: [n], data: ones(n) },
      { name: `${block}.ffn_gate.weight`, dims: [n, ff], data: weights(n * ff) },
      { name: `${block}.ffn_up.weight`, dims: [n, ff], data: weights(n * ff) },
      { name: `${block}.ffn_down.weight`, dims: [ff, n], data: weights(ff * n) },
    );
  }
  if (options.paddingBytes) {
    const count = Math.floor(options.paddingBytes / 4);
    const data = new Float32Array(count);
    // Not all zeros, so no file system can store it sparsely.
    for (let index = 0; index < count; index += 1024) data[index] = next();
    tensors.push({ name: 'padding.weight', dims: [count], data });
  }
  writeGguf(file, metadata, tensors);
}

/** Writes a LoRA adapter for the tiny model: rank-4 deltas on every attention query and value. */
export function writeTinyLora(file: string, options: { seed?: number; rank?: number; alpha?: number } = {}): void {
  const next = random(options.seed ?? 7);
  const rank = options.rank ?? 4;
  const { embedding: n, layers } = tinyShape;
  const weights = (count: number): Float32Array => Float32Array.from({ length: count }, () => (next() * 2 - 1) * 0.5);
  const tensors: Tensor[] = [];
  for (let layer = 0; layer < layers; layer += 1) {
    for (const target of ['attn_q', 'attn_v']) {
      // llama.cpp: lora_a has ne [in, rank], lora_b has ne [rank, out].
      tensors.push(
        { name: `blk.${layer}.${target}.weight.lora_a`, dims: [n, rank], data: weights(n * rank) },
        { name: `blk.${layer}.${target}.weight.lora_b`, dims: [rank, n], data: weights(rank * n) },
      );
    }
  }
  writeGguf(
    file,
    {
      'general.architecture': str('llama'),
      'general.type': str('adapter'),
      'general.name': str('tiny-test-lora'),
      'adapter.type': str('lora'),
      'adapter.lora.alpha': f32(options.alpha ?? rank),
    },
    tensors,
  );
}
