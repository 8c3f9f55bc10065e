// What a GGUF file says of itself, read with node-llama-cpp's GGUF reader (header and tensor
// table only: a 40 GB file is not read through), after a bounded check of the header's structure:
// a file from a hub mirror is untrusted, and that reader trusts every count and length it reads.
import { open, type FileHandle } from 'node:fs/promises';

export interface GgufSummary {
  /** `model` or `adapter` (general.type). */
  type: string;
  architecture: string | null;
  name: string | null;
  license: string | null;
  /** Sum of every tensor's element count. */
  parameters: number;
  /** general.file_type as llama.cpp names it (e.g. MOSTLY_Q4_K_M), or null. */
  quantisation: string | null;
  contextLength: number | null;
  chatTemplate: boolean;
}

export class GgufError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GgufError';
  }
}

export async function describeGguf(path: string): Promise<GgufSummary> {
  try {
    await checkGgufHeader(path);
  } catch (error) {
    if (error instanceof HeaderFault) throw new GgufError(`${path} is not a readable GGUF file: ${error.message}`);
    throw new GgufError(`${path} is not a readable GGUF file: ${(error as Error).message}`, { cause: error });
  }
  const { readGgufFileInfo, GgufFileType } = await import('node-llama-cpp');
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, { logWarnings: false });
  } catch (error) {
    throw new GgufError(`${path} is not a readable GGUF file: ${(error as Error).message}`, { cause: error });
  }
  const metadata = info.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const general = metadata.general ?? {};
  const architecture = typeof general.architecture === 'string' ? general.architecture : null;
  const section = architecture ? metadata[architecture] : undefined;
  let parameters = 0;
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? [])
    parameters += tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
  const fileType = typeof general.file_type === 'number' ? general.file_type : undefined;
  const tokenizer = metadata.tokenizer as { chat_template?: unknown } | undefined;
  return {
    type: typeof general.type === 'string' ? general.type : 'model',
    architecture,
    name: typeof general.name === 'string' ? general.name : null,
    license: typeof general.license === 'string' ? general.license : null,
    parameters,
    quantisation:
      fileType === undefined
        ? null
        : ((GgufFileType as unknown as Record<number, string>)[fileType] ?? `file_type ${fileType}`),
    contextLength: typeof section?.context_length === 'number' ? section.context_length : null,
    chatTemplate: typeof tokenizer?.chat_template === 'string' && tokenizer.chat_template.length > 0,
  };
}

/** What the header check found wrong (its message is shown as is). */
class HeaderFault extends Error {}

// The GGUF header (ggml docs/gguf.md): "GGUF", version u32, tensor count u64, metadata count u64, the
// metadata (key string, value type u32, value), then per tensor: name string, n_dims u32, dims u64[n_dims],
// type u32, offset u64. Strings are a u64 byte length and the bytes. All little-endian.
const stringType = 8;
const arrayType = 9;
/** Byte sizes of the fixed-size value types, by type id. */
const fixedSizes: ReadonlyMap<number, number> = new Map([
  [0, 1], // uint8
  [1, 1], // int8
  [2, 2], // uint16
  [3, 2], // int16
  [4, 4], // uint32
  [5, 4], // int32
  [6, 4], // float32
  [7, 1], // bool
  [10, 8], // uint64
  [11, 8], // int64
  [12, 8], // float64
]);
/** The spec's bound on a key. */
const maxKeyBytes = 65_535;
/** A chat template is kilobytes; a longer string value is not a model's metadata but an allocation attack. */
const maxStringBytes = 16 * 1024 * 1024;
/** Vocabularies are at most a few hundred thousand entries; the reader turns every element into a JS value. */
const maxArrayLength = 4 * 1024 * 1024;
const maxArrayNesting = 4;
/** GGML_MAX_DIMS: llama.cpp refuses more. */
const maxDimensions = 4;
/** The largest models have tens of thousands of tensors. */
const maxTensors = 1024 * 1024;
/** The reader holds the whole header in memory. */
const maxHeaderBytes = 256 * 1024 * 1024;
const windowBytes = 1024 * 1024;
/** Key segments that would address an object's prototype when the reader nests the keys. */
const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks the header with every count and length checked against the file's size and the bounds above, reading through
 * a 1 MB window, so that whatever the bytes say, it ends in time and memory proportional to the header. The reader
 * that follows trusts them: a length past the end reads zeros (it does not fail), and an array of 2^60 elements would
 * loop for ever.
 */
async function checkGgufHeader(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const cursor = new HeaderCursor(handle, size);
    if ((await cursor.bytes(4)).toString('latin1') !== 'GGUF') throw new HeaderFault('it does not start with "GGUF"');
    const version = await cursor.u32();
    if (version !== 2 && version !== 3) throw new HeaderFault(`GGUF version ${version} is not supported (2 or 3)`);
    const tensors = await cursor.count(24, 'tensor count');
    const entries = await cursor.count(13, 'metadata count');
    if (tensors > maxTensors) throw new HeaderFault(`it declares ${tensors} tensors (at most ${maxTensors})`);
    for (let index = 0; index < entries; index += 1) {
      const key = await cursor.string(maxKeyBytes, 'a metadata key');
      if (key.split('.').some((segment) => prototypeKeys.has(segment)))
        throw new HeaderFault('a metadata key names an object prototype');
      await skipValue(cursor, await cursor.u32(), 0);
    }
    for (let index = 0; index < tensors; index += 1) {
      await cursor.skipString(maxKeyBytes, 'a tensor name');
      const dimensions = await cursor.u32();
      if (dimensions > maxDimensions)
        throw new HeaderFault(`a tensor has ${dimensions} dimensions (at most ${maxDimensions})`);
      cursor.skip(dimensions * 8 + 4 + 8, 'a tensor');
    }
    if (cursor.offset > maxHeaderBytes) throw new HeaderFault(`its header is over ${maxHeaderBytes} bytes`);
  } finally {
    await handle.close();
  }
}

async function skipValue(cursor: HeaderCursor, type: number, nesting: number): Promise<void> {
  const fixed = fixedSizes.get(type);
  if (fixed !== undefined) return cursor.skip(fixed, 'a metadata value');
  if (type === stringType) return cursor.skipString(maxStringBytes, 'a metadata string');
  if (type !== arrayType) throw new HeaderFault(`a metadata value has the unknown type ${type}`);
  if (nesting >= maxArrayNesting) throw new HeaderFault(`metadata arrays nest deeper than ${maxArrayNesting}`);
  const elementType = await cursor.u32();
  const elementSize = fixedSizes.get(elementType);
  // Each element takes at least one byte (a string or an array at least 8): more than the file holds is a lie.
  const length = await cursor.count(elementSize ?? 8, 'an array length');
  if (length > maxArrayLength)
    throw new HeaderFault(`a metadata array has ${length} elements (at most ${maxArrayLength})`);
  if (elementSize !== undefined) return cursor.skip(length * elementSize, 'a metadata array');
  for (let index = 0; index < length; index += 1) await skipValue(cursor, elementType, nesting + 1);
}

/** A position in the file, with the bytes around it read a window at a time. */
class HeaderCursor {
  offset = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  /** Moves past `length` bytes, which must be in the file. */
  skip(length: number, what: string): void {
    if (length > this.size - this.offset) throw new HeaderFault(`the file ends inside ${what}`);
    this.offset += length;
  }

  async bytes(length: number): Promise<Buffer> {
    if (length > this.size - this.offset) throw new HeaderFault('the file ends inside its header');
    const end = this.offset + length;
    if (this.offset < this.windowStart || end > this.windowStart + this.window.length) {
      const want = Math.min(Math.max(length, windowBytes), this.size - this.offset);
      const window = Buffer.alloc(want);
      const { bytesRead } = await this.handle.read(window, 0, want, this.offset);
      if (bytesRead < length) throw new HeaderFault('the file ends inside its header');
      this.window = window.subarray(0, bytesRead);
      this.windowStart = this.offset;
    }
    const start = this.offset - this.windowStart;
    this.offset = end;
    return this.window.subarray(start, start + length);
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  /** A u64 count of items of at least `itemBytes` each: at most what the rest of the file can hold. */
  async count(itemBytes: number, what: string): Promise<number> {
    const value = (await this.bytes(8)).readBigUInt64LE(0);
    if (value > BigInt(Math.floor((this.size - this.offset) / itemBytes)))
      throw new HeaderFault(`${what} of ${value} is more than the file can hold`);
    return Number(value);
  }

  async skipString(most: number, what: string): Promise<void> {
    const length = await this.count(1, `the length of ${what}`);
    if (length > most) throw new HeaderFault(`${what} is over ${most} bytes`);
    this.skip(length, what);
  }

  async string(most: number, what: string): Promise<string> {
    const length = await this.count(1, `the length of ${what}`);
    if (length > most) throw new HeaderFault(`${what} is over ${most} bytes`);
    return (await this.bytes(length)).toString('utf8');
  }
}
