// Deep-scan benchmark: the onnx engine's cost per 2 KB of text with the architecture of the recommended
// checkpoint (Xenova/bert-base-multilingual-cased-ner-hrl), generated here with random weights (cost
// depends on the shape, not the values) into ~710 MB of temporary files, removed when done.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDeepScanner } from '../src/pipeline/deep-scan.js';
import { TokenClassifier } from '../src/pipeline/deep-scan-onnx-worker.js';
import { entityLabels } from '../src/pipeline/deep-scan-settings.js';
import {
  model,
  node,
  onnxType,
  tensor,
  valueInfo,
  writeBertConfig,
  writeBertTokenizer,
  writeMessage,
  type Attribute,
  type ProtobufMessage,
} from '../test/support/tiny-onnx-ner.js';

/** BERT-base multilingual cased (Davlan/bert-base-multilingual-cased-ner-hrl), labels O, DATE, PER, ORG, LOC. */
export const bertBase = {
  layers: 12,
  hidden: 768,
  heads: 12,
  intermediate: 3072,
  vocabulary: 119_547,
  positions: 512,
} as const;
const labels = ['O', 'B-DATE', 'I-DATE', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC'];

/** 2 KB prompts of prose with names, in three of the checkpoint's languages. */
export const deepScanPrompts: Record<string, string> = {
  English:
    'Dear Dr. Margaret Okonkwo, following our call on Tuesday I am sending the notes on the patient John Whitfield, who lives at 14 Harrow Road in Leeds. His daughter Emily asked that the results go to her husband, Thomas Brennan, before the appointment with Professor Alan Reyes at the Royal Infirmary. ',
  French:
    'Bonjour Madame Claire Dubois, suite à notre échange de mardi, je vous transmets le dossier de Monsieur Jean-Pierre Lefèvre, domicilié au 12 rue des Lilas à Lyon. Sa fille Sophie souhaite que les résultats soient envoyés à son époux, Antoine Marchand, avant le rendez-vous avec le docteur Hélène Garnier. ',
  Arabic:
    'السيدة فاطمة الزهراء المحترمة، بعد مكالمتنا يوم الثلاثاء أرسل إليك ملاحظات المريض أحمد بن علي الذي يسكن في شارع الحرية رقم ١٤ في الرباط. وطلبت ابنته مريم أن ترسل النتائج إلى زوجها يوسف العلوي قبل موعده مع الدكتور خالد المنصوري. ',
};
for (const [language, sentence] of Object.entries(deepScanPrompts))
  deepScanPrompts[language] = sentence.repeat(Math.ceil(2048 / sentence.length)).slice(0, 2048);

/**
 * A WordPiece vocabulary of the checkpoint's size that splits the prompts' words about as a
 * multilingual vocabulary does (~1.3 pieces a word in English): words of up to five characters
 * whole, longer ones in pieces of four; every character alone too; the rest filler.
 */
function vocabularyFor(texts: readonly string[]): string[] {
  const tokens = new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  for (const text of texts) {
    for (const word of text.match(/[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu) ?? []) {
      const characters = [...word];
      for (const character of characters) tokens.add(character).add(`##${character}`);
      if (characters.length <= 5) tokens.add(word);
      else
        for (let start = 0; start < characters.length; start += 4)
          tokens.add(`${start === 0 ? '' : '##'}${characters.slice(start, start + 4).join('')}`);
    }
  }
  const vocabulary = [...tokens];
  for (let index = vocabulary.length; index < bertBase.vocabulary; index += 1) vocabulary.push(`[unused${index}]`);
  return vocabulary;
}

/**
 * Random weights (a tiled block of uniform values scaled like BERT's initialisation): fast to make, and as costly to
 * run as trained ones.
 */
function randomWeights(count: number, scale = 0.02): Float32Array {
  const block = Float32Array.from({ length: 1 << 16 }, () => (Math.random() * 2 - 1) * scale * Math.sqrt(3));
  const data = new Float32Array(count);
  for (let offset = 0; offset < count; offset += block.length)
    data.set(block.subarray(0, Math.min(block.length, count - offset)), offset);
  return data;
}

/**
 * The graph of BertForTokenClassification as exported to ONNX (opset 17): embeddings, 12 encoder layers with masked
 * self-attention and GELU, a linear classifier.
 */
export function writeBertBase(directory: string, texts: readonly string[]): void {
  const { layers, hidden, heads, intermediate, vocabulary, positions } = bertBase;
  const headSize = hidden / heads;
  const nodes: ProtobufMessage[] = [];
  const initializers: ProtobufMessage[] = [];
  const weight = (name: string, dims: number[], data?: Float32Array): string => {
    initializers.push(tensor(name, dims, data ?? randomWeights(dims.reduce((product, dim) => product * dim, 1))));
    return name;
  };
  const constant = (name: string, values: number[]): string => weight(name, [values.length], Float32Array.from(values));
  const integers = (name: string, values: number[], scalar = false): string => {
    initializers.push(tensor(name, scalar ? [] : [values.length], BigInt64Array.from(values.map(BigInt))));
    return name;
  };
  const add = (operator: string, inputs: string[], output: string, attributes: Attribute[] = []): string => {
    nodes.push(node(operator, inputs, [output], attributes));
    return output;
  };
  const ones = (count: number): Float32Array => new Float32Array(count).fill(1);
  const layerNorm = (input: string, name: string): string =>
    add(
      'LayerNormalization',
      [
        input,
        weight(`${name}.gamma`, [hidden], ones(hidden)),
        weight(`${name}.beta`, [hidden], new Float32Array(hidden)),
      ],
      `${name}.out`,
      [
        { name: 'axis', int: -1 },
        { name: 'epsilon', float: 1e-12 },
      ],
    );
  const linear = (input: string, name: string, inputs: number, outputs: number): string =>
    add(
      'Add',
      [
        add('MatMul', [input, weight(`${name}.weight`, [inputs, outputs])], `${name}.product`),
        weight(`${name}.bias`, [outputs], new Float32Array(outputs)),
      ],
      `${name}.out`,
    );

  integers('one_index', [1], true);
  integers('zero', [0], true);
  integers('step', [1], true);
  integers('split_heads', [0, 0, heads, headSize]);
  integers('merge_heads', [0, 0, hidden]);
  integers('mask_axes', [1, 2]);
  constant('half', [0.5]);
  constant('unit', [1]);
  constant('root_two', [Math.SQRT2]);
  constant('scale', [1 / Math.sqrt(headSize)]);
  constant('mask_value', [-10_000]);

  const words = add('Gather', [weight('word_embeddings', [vocabulary, hidden]), 'input_ids'], 'words', [
    { name: 'axis', int: 0 },
  ]);
  const length = add('Gather', [add('Shape', ['input_ids'], 'shape'), 'one_index'], 'length');
  const places = add(
    'Gather',
    [weight('position_embeddings', [positions, hidden]), add('Range', ['zero', length, 'step'], 'places')],
    'place_embeddings',
    [{ name: 'axis', int: 0 }],
  );
  const types = add('Gather', [weight('token_type_embeddings', [2, hidden]), 'token_type_ids'], 'types', [
    { name: 'axis', int: 0 },
  ]);
  let state = layerNorm(add('Add', [add('Add', [words, places], 'words_places'), types], 'embedded'), 'embeddings');
  // (1 − mask) · −10000, broadcast over heads and queries: padding gets no attention.
  const mask = add(
    'Mul',
    [
      add(
        'Sub',
        [
          'unit',
          add(
            'Unsqueeze',
            [add('Cast', ['attention_mask'], 'mask_float', [{ name: 'to', int: onnxType.float }]), 'mask_axes'],
            'mask_wide',
          ),
        ],
        'mask_inverse',
      ),
      'mask_value',
    ],
    'mask_bias',
  );

  for (let layer = 0; layer < layers; layer += 1) {
    const name = `layer${layer}`;
    const heads = (projection: string, order: number[]): string =>
      add(
        'Transpose',
        [
          add(
            'Reshape',
            [linear(state, `${name}.${projection}`, hidden, hidden), 'split_heads'],
            `${name}.${projection}.heads`,
          ),
        ],
        `${name}.${projection}.transposed`,
        [{ name: 'perm', ints: order }],
      );
    const query = heads('query', [0, 2, 1, 3]);
    const key = heads('key', [0, 2, 3, 1]);
    const value = heads('value', [0, 2, 1, 3]);
    const scores = add(
      'Add',
      [add('Mul', [add('MatMul', [query, key], `${name}.scores`), 'scale'], `${name}.scaled`), mask],
      `${name}.masked`,
    );
    const attention = add('Softmax', [scores], `${name}.attention`, [{ name: 'axis', int: -1 }]);
    const context = add(
      'Reshape',
      [
        add('Transpose', [add('MatMul', [attention, value], `${name}.context`)], `${name}.context.transposed`, [
          { name: 'perm', ints: [0, 2, 1, 3] },
        ]),
        'merge_heads',
      ],
      `${name}.context.merged`,
    );
    const attended = layerNorm(
      add('Add', [linear(context, `${name}.output`, hidden, hidden), state], `${name}.residual`),
      `${name}.attention_norm`,
    );
    const expanded = linear(attended, `${name}.intermediate`, hidden, intermediate);
    // GELU as exported: x · ½ · (1 + erf(x / √2)).
    const gelu = add(
      'Mul',
      [
        add('Mul', [expanded, 'half'], `${name}.half`),
        add(
          'Add',
          ['unit', add('Erf', [add('Div', [expanded, 'root_two'], `${name}.scaled_input`)], `${name}.erf`)],
          `${name}.erf_plus_one`,
        ),
      ],
      `${name}.gelu`,
    );
    state = layerNorm(
      add('Add', [linear(gelu, `${name}.ffn_output`, intermediate, hidden), attended], `${name}.ffn_residual`),
      `${name}.output_norm`,
    );
  }
  add(
    'Add',
    [
      add('MatMul', [state, weight('classifier.weight', [hidden, labels.length])], 'classified'),
      weight('classifier.bias', [labels.length], new Float32Array(labels.length)),
    ],
    'logits',
  );

  const graph = {
    nodes,
    initializers,
    inputs: ['input_ids', 'attention_mask', 'token_type_ids'].map((input) =>
      valueInfo(input, onnxType.int64, ['batch_size', 'sequence_length']),
    ),
    outputs: [valueInfo('logits', onnxType.float, ['batch_size', 'sequence_length', labels.length])],
  };
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  writeMessage(join(directory, 'onnx', 'model.onnx'), model(graph, 17));
  writeBertTokenizer(directory, vocabularyFor(texts), { lowercase: false, maxLength: positions });
  writeBertConfig(directory, labels, {
    max_position_embeddings: positions,
    vocab_size: vocabulary,
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    intermediate_size: intermediate,
  });
}

type Table = (header: string[], rows: Array<Array<string | number>>) => void;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function deepScanSection(table: Table): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'sovereign-bench-deep-scan-'));
  try {
    let started = performance.now();
    writeBertBase(directory, Object.values(deepScanPrompts));
    const writeSeconds = (performance.now() - started) / 1000;
    const specifier = '@huggingface/transformers'; // optional: type-checking must not need it
    const transformers = (await import(specifier)) as unknown as {
      AutoTokenizer: {
        from_pretrained(path: string, options: object): Promise<{ encode(text: string, options: object): number[] }>;
      };
    };
    // The bench's own tokenizer, to count the tokens of each prompt.
    const tokenizer = await transformers.AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    const rows: Array<Array<string | number>> = [];
    const loads: string[] = [];
    for (const threads of [1, 2]) {
      const rssBefore = process.memoryUsage().rss;
      started = performance.now();
      const scanner = await createDeepScanner({ engine: 'onnx', model: directory, threads }, {});
      // Memory is told for the first load only: a closed worker's pages are not all given back to the system.
      loads.push(
        `threads ${threads}: loaded in ${((performance.now() - started) / 1000).toFixed(1)} s${threads === 1 ? `, +${Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20)} MB resident` : ''}`,
      );
      try {
        for (const [language, text] of Object.entries(deepScanPrompts)) {
          // Warm-up: the first runs after a load allocate, and fault the weights in.
          for (let run = 0; run < 2; run += 1) await scanner.scan([text]);
          const samples: number[] = [];
          // The event loop's worst delay while scanning: the worker must keep it free.
          const delay = monitorEventLoopDelay({ resolution: 5 });
          delay.enable();
          for (let run = 0; run < 9; run += 1) {
            const begun = performance.now();
            await scanner.scan([text]);
            samples.push(performance.now() - begun);
          }
          delay.disable();
          const tokens = tokenizer.encode(text, { add_special_tokens: false }).length;
          rows.push([
            threads,
            language,
            text.length,
            tokens,
            median(samples).toFixed(0),
            Math.min(...samples).toFixed(0),
            (delay.max / 1e6).toFixed(1),
          ]);
        }
      } finally {
        await scanner.close();
      }
    }
    // Baseline, the same run: the classifier on the event loop itself (no worker), as onnxruntime-node would run it.
    const classifier = await TokenClassifier.load(transformers as never, {
      directory,
      minScore: 0.5,
      threads: 1,
      labels: entityLabels({}),
    });
    try {
      const text = deepScanPrompts.English!;
      await classifier.scan([text], () => false);
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const samples: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const begun = performance.now();
        await classifier.scan([text], () => false);
        samples.push(performance.now() - begun);
      }
      delay.disable();
      rows.push([
        '1, no worker (baseline)',
        'English',
        text.length,
        '',
        median(samples).toFixed(0),
        Math.min(...samples).toFixed(0),
        (delay.max / 1e6).toFixed(1),
      ]);
    } finally {
      await classifier.dispose();
    }
    process.stdout.write(
      `Deep scan, onnx engine, BERT-base multilingual architecture (random weights; model written in ${writeSeconds.toFixed(1)} s). ${loads.join('; ')}.\n`,
    );
    process.stdout.write(
      'Scan time of one 2 KB prompt, median and best of 9 runs after two warm-up runs; tokens by a vocabulary of the same size that splits words about as mBERT does.\n',
    );
    table(['threads', 'prompt', 'chars', 'tokens', 'median ms', 'best ms', 'event-loop delay max ms'], rows);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await deepScanSection((header, rows) => {
    const widths = header.map((title, index) =>
      Math.max(title.length, ...rows.map((row) => String(row[index]).length)),
    );
    const line = (cells: Array<string | number>): string =>
      cells.map((cell, index) => String(cell).padEnd(widths[index]!)).join('  ');
    process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  });
}
