// The deep scan (policy.detectors.ner) on real engines: a tiny ONNX token-classification model made
// here, run by onnxruntime-node through transformers.js in a worker thread; and tiny GGUF models run
// by node-llama-cpp under the scan's JSON-schema grammar, verified by a real weights registry first.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSigner } from '../src/ledger/note.js';
import { ModelRegistry } from '../src/models/registry.js';
import { createDeepScanner, DeepScanError, type DeepScanner } from '../src/pipeline/deep-scan.js';
import { answerLimits, chunksOf, occurrences, scanRequest, tokenBoundOf } from '../src/pipeline/deep-scan-local.js';
import { TokenClassifier } from '../src/pipeline/deep-scan-onnx-worker.js';
import { entityLabels } from '../src/pipeline/deep-scan-settings.js';
import type { Span } from '../src/policy/detectors.js';
import { createLocalProvider } from '../src/providers/local.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import type { Store } from '../src/store/store.js';
import { startDouble } from './doubles/http-double.js';
import { tinyShape, writeTinyModel } from './support/tiny-gguf.js';
import { writeTinyOnnxNer } from './support/tiny-onnx-ner.js';
import { onnxSkipReason, transformersPackage } from './support/optional-dependencies.js';

const directory = mkdtempSync(join(tmpdir(), 'sovereign-deep-scan-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const onnxModel = join(directory, 'ner');
const windowedModel = join(directory, 'ner-16');
writeTinyOnnxNer(onnxModel);
// The same weights with a maximum length of 16 tokens: every text of more than a few words is read in windows.
writeTinyOnnxNer(windowedModel, { maxLength: 16 });

/** [label, the text it covers, where it starts] of each span: what a reader checks. */
const findings = (text: string, spans: readonly Span[]): Array<[string, string, number]> =>
  spans.map((span) => [span.label, text.slice(span.start, span.end), span.start]);
const isError = (code: DeepScanError['code'], pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof DeepScanError, `expected a DeepScanError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.match(error.message, pattern);
  return true;
};

describe('the ONNX model finds the names it was made to find, with exact offsets', { skip: onnxSkipReason() }, () => {
  let scanner: DeepScanner;
  let windowed: DeepScanner;
  before(async () => {
    scanner = await createDeepScanner({ engine: 'onnx', model: onnxModel }, {});
    windowed = await createDeepScanner({ engine: 'onnx', model: windowedModel }, {});
  });
  after(async () => {
    await scanner.close();
    await windowed.close();
  });

  it('labels the names and addresses no pattern finds, each span covering exactly its words, text by text', async () => {
    assert.equal(scanner.engine, 'onnx');
    const texts = [
      'Dr. Quintavius Zorblax lives at 12 Glimmerstrasse Vexmoor, in Paris.',
      '',
      'hello, the letter is here',
      'QUINTAVIUS wrote to Zorblax.',
    ];
    const spans = await scanner.scan(texts);
    assert.equal(spans.length, texts.length);
    assert.deepEqual(findings(texts[0]!, spans[0]!), [
      ['pii.name', 'Quintavius Zorblax', 4],
      ['pii.address', 'Glimmerstrasse Vexmoor', 35],
    ]);
    assert.deepEqual(spans[1], []);
    assert.deepEqual(spans[2], []);
    // The tokenizer lowercases; the offsets are the original text's. Two names, two spans.
    assert.deepEqual(findings(texts[3]!, spans[3]!), [
      ['pii.name', 'QUINTAVIUS', 0],
      ['pii.name', 'Zorblax', 20],
    ]);
  });

  it('counts offsets in UTF-16 code units across Arabic text and emoji, and a word by its first sub-token', async () => {
    const text = 'مرحبا 👋 Quintavius Zorblax! قابل zorblaxian هنا';
    const [spans] = await scanner.scan([text]);
    // "zorblaxian" is zorblax + ##ian: the whole word is the name.
    assert.deepEqual(findings(text, spans!), [
      ['pii.name', 'Quintavius Zorblax', 9],
      ['pii.name', 'zorblaxian', 34],
    ]);
  });

  it('reads a long text in overlapping windows and finds each name once, where it is', async () => {
    const sentences = Array.from({ length: 120 }, (_, index) =>
      index % 7 === 3
        ? 'Quintavius Zorblax met the Acmecorp'
        : index % 11 === 5
          ? 'a letter to Glimmerstrasse'
          : 'hello and the letter is here',
    );
    const text = sentences.join('. ');
    const expected: Array<[string, string, number]> = [];
    for (const match of text.matchAll(/Quintavius Zorblax|Glimmerstrasse/g))
      expected.push([match[0] === 'Glimmerstrasse' ? 'pii.address' : 'pii.name', match[0], match.index]);
    assert.deepEqual(findings(text, (await windowed.scan([text]))[0]!), expected, 'windows of 16 tokens');
    assert.deepEqual(findings(text, (await scanner.scan([text]))[0]!), expected, 'windows of 512 tokens');
  });
});

describe('entities below min_score are dropped', { skip: onnxSkipReason() }, () => {
  // The tiny model labels "mumblefrotz" B-PER with probability 0.4, and its other names with 0.9996.
  const text = 'Mumblefrotz wrote to Quintavius.';
  for (const [minScore, expected] of [
    [undefined, [['pii.name', 'Quintavius', 21]]],
    [
      0.3,
      [
        ['pii.name', 'Mumblefrotz', 0],
        ['pii.name', 'Quintavius', 21],
      ],
    ],
    [0.9999, []],
  ] as const) {
    it(`min_score ${minScore ?? '(default 0.5)'} keeps ${expected.length} of the two names`, async () => {
      const scanner = await createDeepScanner(
        { engine: 'onnx', model: onnxModel, ...(minScore === undefined ? {} : { min_score: minScore }) },
        {},
      );
      try {
        assert.deepEqual(findings(text, (await scanner.scan([text]))[0]!), expected);
      } finally {
        await scanner.close();
      }
    });
  }
});

describe('label mapping', { skip: onnxSkipReason() }, () => {
  const text = 'Quintavius works for Acmecorp in Paris.';

  it('by default, person and address entities are labelled and every other entity (ORG, LOC…) is ignored', async () => {
    assert.equal(entityLabels({}).PER, 'pii.name');
    assert.equal(entityLabels({}).STREETADDRESS, 'pii.address');
    assert.equal(entityLabels({}).ORG, undefined);
    const scanner = await createDeepScanner({ engine: 'onnx', model: onnxModel }, {});
    try {
      assert.deepEqual(findings(text, (await scanner.scan([text]))[0]!), [['pii.name', 'Quintavius', 0]]);
    } finally {
      await scanner.close();
    }
  });

  it('`labels` maps entities (with or without a B-/I- prefix, any case) and replaces the default map', async () => {
    const scanner = await createDeepScanner(
      { engine: 'onnx', model: onnxModel, labels: { ORG: 'org.name', 'b-loc': 'pii.address' } },
      {},
    );
    try {
      assert.deepEqual(findings(text, (await scanner.scan([text]))[0]!), [
        ['org.name', 'Acmecorp', 21],
        ['pii.address', 'Paris', 33],
      ]);
    } finally {
      await scanner.close();
    }
  });

  it("a map under which none of the model's entities has a label fails at creation: such a scanner would find nothing, silently", async () => {
    await assert.rejects(
      createDeepScanner({ engine: 'onnx', model: onnxModel, labels: { GIVENNAME: 'pii.name' } }, {}),
      isError(
        'configuration',
        /^policy\.detectors\.ner\.labels: none of the entities of the model in .* \(PER, ORG, LOC, ADDRESS\) maps to a label$/,
      ),
    );
    await assert.rejects(
      createDeepScanner({ engine: 'local', model: 'tiny-bigram', labels: { PER: 'pii.name' } }, { registry }),
      isError(
        'configuration',
        /^policy\.detectors\.ner\.labels: the local engine reports the entities NAME and ADDRESS/,
      ),
    );
  });
});

describe('text past max_scan_bytes is refused without running the model', { skip: onnxSkipReason() }, () => {
  let scanner: DeepScanner;
  before(async () => {
    scanner = await createDeepScanner({ engine: 'onnx', model: onnxModel, max_scan_bytes: 60 }, {});
  });

  it('counts every text of the scan in UTF-16 code units, and refuses one past the limit at once', async () => {
    const exactly = `Quintavius Zorblax ${'a'.repeat(41)}`;
    assert.equal(exactly.length, 60);
    assert.deepEqual(findings(exactly, (await scanner.scan([exactly]))[0]!), [['pii.name', 'Quintavius Zorblax', 0]]);
    await assert.rejects(
      scanner.scan([`${exactly}a`]),
      isError('too_much_text', /at most 60 characters \(policy\.detectors\.ner\.max_scan_bytes\); this request has 61/),
    );
    await assert.rejects(scanner.scan(['a'.repeat(30), 'a'.repeat(31)]), isError('too_much_text', /has 61/));
    // 👋 is two code units.
    await assert.rejects(scanner.scan([`${'👋'.repeat(30)}a`]), isError('too_much_text', /has 61/));
  });

  it('checks the size before anything else: a closed scanner still answers too_much_text', async () => {
    await scanner.close();
    await assert.rejects(scanner.scan(['a'.repeat(61)]), isError('too_much_text', /has 61/));
    await assert.rejects(scanner.scan(['Quintavius']), isError('closed', /closed/));
  });
});

describe('a model directory that is missing or incomplete fails at creation with a message naming policy.detectors.ner.model', {
  skip: onnxSkipReason(),
}, () => {
  const fails = (model: string, pattern: RegExp) =>
    assert.rejects(
      createDeepScanner({ engine: 'onnx', model }, {}),
      isError('configuration', new RegExp(`^policy\\.detectors\\.ner\\.model: .*${pattern.source}`)),
    );

  it('a path that is not a directory', async () => {
    await fails(join(directory, 'nowhere'), /is not a directory/);
    await fails(join(onnxModel, 'config.json'), /is not a directory/);
  });

  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const) {
    it(`a directory without ${file}`, async () => {
      const incomplete = join(directory, `without-${file.replace('/', '-')}`);
      writeTinyOnnxNer(incomplete, { without: file });
      await fails(incomplete, new RegExp(`lacks ${file.replace('.', '\\.')}`));
    });
  }

  it('a config.json without the labels of a token classifier, and an ONNX file that is not one', async () => {
    const unlabelled = join(directory, 'unlabelled');
    writeTinyOnnxNer(unlabelled);
    writeFileSync(join(unlabelled, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    await fails(unlabelled, /needs model_type and id2label/);
    const corrupt = join(directory, 'corrupt');
    writeTinyOnnxNer(corrupt);
    writeFileSync(join(corrupt, 'onnx', 'model.onnx'), 'this is not a protobuf');
    await fails(corrupt, /could not be loaded/);
  });
});

describe('nothing is fetched from a hub', { skip: onnxSkipReason() }, () => {
  const hubId = 'Xenova/bert-base-multilingual-cased-ner-hrl';

  it('a hub model id is not a local directory, and is refused as one', async () => {
    await assert.rejects(
      createDeepScanner({ engine: 'onnx', model: hubId }, {}),
      isError(
        'configuration',
        /policy\.detectors\.ner\.model: "Xenova\/bert-base-multilingual-cased-ner-hrl" is not a directory.*never fetched from a hub/,
      ),
    );
  });

  it('the loader turns remote models off: with a hub at hand, it asks it for nothing', async () => {
    const hub = await startDouble(() => undefined, '/');
    hub.setDefault({ kind: 'status', status: 404 });
    // A computed specifier: the package is optional, so type-checking must not need it.
    const transformers = (await import(transformersPackage)) as {
      env: { remoteHost: string; allowRemoteModels: boolean };
      AutoTokenizer: { from_pretrained(id: string): Promise<unknown> };
    };
    try {
      transformers.env.remoteHost = hub.url;
      transformers.env.allowRemoteModels = true;
      // The control: left as it is, transformers.js asks the hub for a model id.
      await assert.rejects(transformers.AutoTokenizer.from_pretrained(hubId));
      assert.ok(hub.received.length > 0, 'the hub double is reachable');
      hub.received.length = 0;

      const settings = { minScore: 0.5, threads: 1, labels: entityLabels({}) };
      await assert.rejects(TokenClassifier.load(transformers as never, { ...settings, directory: hubId }));
      assert.equal(transformers.env.allowRemoteModels, false);
      const classifier = await TokenClassifier.load(transformers as never, { ...settings, directory: onnxModel });
      const text = 'Quintavius Zorblax';
      assert.deepEqual(findings(text, (await classifier.scan([text], () => false))[0]!), [['pii.name', text, 0]]);
      await classifier.dispose();
      assert.deepEqual(hub.received, []);
    } finally {
      transformers.env.remoteHost = 'https://huggingface.co/';
      await hub.close();
    }
  });
});

describe('a cancelled scan rejects at once, and the scanner goes on', { skip: onnxSkipReason() }, () => {
  it('an aborted signal, before or during a scan', async () => {
    const scanner = await createDeepScanner({ engine: 'onnx', model: windowedModel }, {});
    try {
      await assert.rejects(scanner.scan(['Quintavius'], AbortSignal.abort()), isError('aborted', /cancelled/));
      const controller = new AbortController();
      // Some thousand windows of 16 tokens: far longer than the abort takes.
      const scanning = scanner.scan(['hello and the letter is here. '.repeat(2_000)], controller.signal);
      setImmediate(() => controller.abort());
      await assert.rejects(scanning, isError('aborted', /cancelled/));
      assert.deepEqual(findings('Quintavius', (await scanner.scan(['Quintavius']))[0]!), [
        ['pii.name', 'Quintavius', 0],
      ]);
    } finally {
      await scanner.close();
    }
  });
});

/**
 * Makes the tiny llama model a bigram model of its last token: attention and feed-forward outputs
 * are zeroed, so the logits depend on the current token's embedding alone (RMS-normed, then the
 * output matrix). Each token below gets its own embedding axis, and the output rows rank its
 * successors, so that greedy decoding under the scan's grammar (which forbids what does not fit)
 * writes {"names":["Zorblax"],"addresses":["Zorblax"]}: a model of one token cannot tell the two
 * lists apart. Its answer does not depend on the text at all, which is what the tests need.
 */
async function writeBigramModel(file: string): Promise<void> {
  writeTinyModel(file, { name: 'tiny-bigram' });
  const { readGgufFileInfo } = await import('node-llama-cpp');
  const info = await readGgufFileInfo(file, { logWarnings: false });
  const n = tinyShape.embedding;
  const vocabulary = 5 + 256; // <unk> <s> </s> <|im_start|> <|im_end|>, then one token per byte
  const byte = (character: string): number => 5 + character.charCodeAt(0);
  const endOfTurn = 4;
  const successors: Array<[string, Array<[number, number]>]> = [
    ['{', [[byte('"'), 3]]],
    [':', [[byte('['), 3]]],
    ['[', [[byte('"'), 3]]],
    // Inside a string Z; after a closing quote (where Z is not allowed) ], not another item.
    [
      '"',
      [
        [byte('Z'), 3],
        [byte(']'), 2],
      ],
    ],
    ...[...'Zorblax'].map((character, index, word): [string, Array<[number, number]>] => [
      character,
      [[index + 1 < word.length ? byte(word[index + 1]!) : byte('"'), 3]],
    ]),
    [
      ']',
      [
        [byte(','), 3],
        [byte('}'), 2],
      ],
    ],
    [',', [[byte('"'), 3]]],
    ['\n', [[endOfTurn, 3]]],
  ];
  const embedding = new Float32Array(n * vocabulary);
  const output = new Float32Array(n * vocabulary);
  for (const [axis, [source, targets]] of successors.entries()) {
    embedding[byte(source) * n + axis] = 10;
    for (const [target, weight] of targets) output[target * n + axis] = weight;
  }
  const replacements = new Map<string, Float32Array>([
    ['token_embd.weight', embedding],
    ['output.weight', output],
  ]);
  for (let layer = 0; layer < tinyShape.layers; layer += 1) {
    replacements.set(`blk.${layer}.attn_output.weight`, new Float32Array(n * n));
    replacements.set(`blk.${layer}.ffn_down.weight`, new Float32Array(tinyShape.feedForward * n));
  }
  const descriptor = openSync(file, 'r+');
  try {
    for (const tensor of info.fullTensorInfo ?? []) {
      const data = replacements.get(tensor.name);
      if (data) writeSync(descriptor, Buffer.from(data.buffer), 0, data.byteLength, Number(tensor.fileOffset));
    }
  } finally {
    closeSync(descriptor);
  }
}

// One weights registry over a temporary SQLite store for the local engine's tests.
let store: Store;
let registry: ModelRegistry;
before(async () => {
  store = openSqliteStore(join(directory, 'registry-data'));
  await store.migrate();
  const signer = generateSigner('test.example/sovereign-gateway');
  registry = new ModelRegistry({ store, verifier: signer, signer });
});
after(() => store.close());

describe('the local engine runs under its grammar and a gibberish answer yields no finding', () => {
  const gibberishFile = join(directory, 'tiny-gibberish.gguf');
  const bigramFile = join(directory, 'tiny-bigram.gguf');
  let gibberish: DeepScanner;
  let bigram: DeepScanner;
  before(async () => {
    // Seed 2 writes strings under the grammar (here, such as "d*%=l;h…"), not only empty lists.
    writeTinyModel(gibberishFile, { seed: 2 });
    await writeBigramModel(bigramFile);
    await registry.add(gibberishFile, { name: 'tiny-gibberish' });
    await registry.add(bigramFile, { name: 'tiny-bigram' });
    gibberish = await createDeepScanner({ engine: 'local', model: 'tiny-gibberish' }, { registry });
    bigram = await createDeepScanner({ engine: 'local', model: 'tiny-bigram' }, { registry });
  });
  after(async () => {
    await gibberish?.close();
    await bigram?.close();
  });

  it("answers JSON of the scan's schema, and nothing the random model writes is a finding", async () => {
    assert.equal(gibberish.engine, 'local');
    const text = 'Dr. Quintavius Zorblax lives at 12 Glimmerstrasse, Paris.';
    // The same request through the same machinery, to see the answer the scanner reads.
    const provider = createLocalProvider({
      description: {
        id: 'look',
        kind: 'local',
        jurisdiction: 'local',
        operator: 'tests',
        ownership: 'owned',
        models: ['tiny-gibberish'],
      },
      resolve: async () => ({ path: gibberishFile, sha256: '' }),
      threads: 1,
      contextSize: 512,
      sequences: 1,
      maxQueue: 1,
      idleUnloadMs: 60_000,
    });
    try {
      const { response } = await provider.chat(scanRequest('tiny-gibberish', text, 220), {
        upstreamModel: 'tiny-gibberish',
        deadline: Date.now() + 60_000,
      });
      const answer = JSON.parse(response.choices[0]!.message.content as string) as Record<string, unknown>;
      assert.deepEqual(Object.keys(answer), ['names', 'addresses']);
      for (const list of Object.values(answer)) {
        assert.ok(Array.isArray(list) && list.length <= answerLimits.maxItems, 'a list of at most maxItems');
        for (const item of list) assert.equal(typeof item, 'string');
      }
    } finally {
      await provider.close();
    }
    assert.deepEqual(await gibberish.scan([text, 'hello']), [[], []]);
  });

  it('locates what the model wrote in the text: exactly, else ignoring case, whole words only; an invention is no finding', async () => {
    const texts = ['Dr. Zorblax lives here.', 'dr. zorblax wrote.', 'The Zorblaxian is not him.', 'Nobody is here.'];
    const spans = await bigram.scan(texts);
    assert.deepEqual(findings(texts[0]!, spans[0]!), [
      ['pii.address', 'Zorblax', 4],
      ['pii.name', 'Zorblax', 4],
    ]);
    assert.deepEqual(findings(texts[1]!, spans[1]!), [
      ['pii.address', 'zorblax', 4],
      ['pii.name', 'zorblax', 4],
    ]);
    assert.deepEqual(spans.slice(2), [[], []]);
    // What a found string must be to count: two characters or more, a letter among them, a whole word.
    assert.deepEqual(occurrences('Ann met Annabel and ANN, at 12 Main  St.', 'ann'), [
      { start: 0, end: 3 },
      { start: 20, end: 23 },
    ]);
    assert.deepEqual(occurrences('12 Main  St. is here', '12 Main St.'), [{ start: 0, end: 12 }]);
    assert.deepEqual(occurrences('a e i', 'e'), []);
    assert.deepEqual(occurrences('call 555 1234', '555'), []);
    // Written as a pattern, never read as one.
    assert.deepEqual(occurrences('Jean-Pierre (Paris) et J.P. Lefèvre', 'Jean-Pierre (Paris)'), [
      { start: 0, end: 19 },
    ]);
    assert.deepEqual(occurrences('J.P. Lefèvre', 'J.P. Lefèvre'), [{ start: 0, end: 12 }]);
    assert.deepEqual(occurrences('JxPx Lefèvre', 'J.P. Lefèvre'), []);
  });

  it('a long text is read in pieces that fit the context, with the findings at their place in the whole', async () => {
    // Pieces cover the text, overlap, never pass their budget of tokens, and never split a character.
    for (const text of [
      'hello and the letter is here. '.repeat(20),
      'مرحبا بكم في الرباط '.repeat(15),
      '👋'.repeat(100),
      'x'.repeat(500),
    ]) {
      const pieces = chunksOf(text, 64, 16);
      assert.equal(pieces[0]!.start, 0);
      assert.equal(pieces.at(-1)!.end, text.length);
      for (const [index, piece] of pieces.entries()) {
        assert.ok(tokenBoundOf(text.slice(piece.start, piece.end)) <= 64, `piece ${index} within its budget`);
        assert.ok(!/^[\uDC00-\uDFFF]/.test(text.slice(piece.start)), `piece ${index} starts on a character`);
        if (index > 0)
          assert.ok(
            piece.start > pieces[index - 1]!.start && piece.start <= pieces[index - 1]!.end,
            `piece ${index} follows on, overlapping`,
          );
      }
    }
    // About 420 characters, where one prompt of this 512-token model holds about 150.
    const text = `${'hello and the letter is here. '.repeat(14)}Zorblax wrote.`;
    const [spans] = await bigram.scan([text]);
    assert.deepEqual(findings(text, spans!), [
      ['pii.address', 'Zorblax', 420],
      ['pii.name', 'Zorblax', 420],
    ]);
  });

  it('maps its two lists as the entities NAME and ADDRESS, and refuses text past max_scan_bytes', async () => {
    const scanner = await createDeepScanner(
      { engine: 'local', model: 'tiny-bigram', labels: { NAME: 'pii.name' }, max_scan_bytes: 20 },
      { registry },
    );
    try {
      const text = 'Zorblax was here.';
      assert.deepEqual(findings(text, (await scanner.scan([text]))[0]!), [['pii.name', 'Zorblax', 0]]);
      await assert.rejects(scanner.scan([text, 'and more']), isError('too_much_text', /has 25/));
      await assert.rejects(scanner.scan([text], AbortSignal.abort()), isError('aborted', /cancelled/));
    } finally {
      await scanner.close();
    }
  });
});

describe('weights that fail verification are never loaded', () => {
  it('one flipped byte after registration: creation fails naming the setting and both digests', async () => {
    const flipped = join(directory, 'tiny-flipped.gguf');
    writeTinyModel(flipped, { seed: 3 });
    const record = await registry.add(flipped, { name: 'tiny-flipped' });
    const bytes = readFileSync(flipped);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    writeFileSync(flipped, bytes);
    await assert.rejects(
      createDeepScanner({ engine: 'local', model: 'tiny-flipped' }, { registry }),
      isError(
        'configuration',
        new RegExp(
          `^policy\\.detectors\\.ner\\.model: model "tiny-flipped": .* no longer matches its manifest \\(expected sha256:${record.sha256}, found sha256:[0-9a-f]{64}\\)`,
        ),
      ),
    );
  });

  it('a file replaced by one llama.cpp could not even load is refused by its digest, not by a failed load', async () => {
    const replaced = join(directory, 'tiny-replaced.gguf');
    writeTinyModel(replaced, { seed: 4 });
    await registry.add(replaced, { name: 'tiny-replaced' });
    writeFileSync(replaced, 'GGUF, but not a model');
    await assert.rejects(
      createDeepScanner({ engine: 'local', model: 'tiny-replaced' }, { registry }),
      isError('configuration', /no longer matches its manifest/),
    );
  });

  it('a name the registry does not know, and no registry at all', async () => {
    await assert.rejects(
      createDeepScanner({ engine: 'local', model: 'unknown' }, { registry }),
      isError('configuration', /^policy\.detectors\.ner\.model: model "unknown" is not in the weights registry/),
    );
    await assert.rejects(
      createDeepScanner({ engine: 'local', model: 'tiny-bigram' }, {}),
      isError('configuration', /^policy\.detectors\.ner\.model: .*no registry is open/),
    );
  });
});
