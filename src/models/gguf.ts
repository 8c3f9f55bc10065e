// What a GGUF file says of itself, read with node-llama-cpp's GGUF reader (header and tensor
// table only: a 40 GB file is not read through).
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
