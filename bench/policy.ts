// Policy benchmarks: detector quality (precision and recall per label over the labelled corpus of
// the tests) and classification time for a 2 KB prompt, against a single regex scan of the same
// text measured in the same run.
import { detect } from '../src/policy/detectors.js';
import { corpus } from '../test/support/detector-corpus.js';

export async function policySection(table: (header: string[], rows: Array<Array<string | number>>) => void): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  for (const [label, cases] of Object.entries(corpus)) {
    const found = (text: string): boolean => detect(text).some((span) => span.label === label);
    const truePositives = cases.positive.filter(found).length;
    const falsePositives = cases.negative.filter(found).length;
    const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
    rows.push([label, cases.positive.length, cases.negative.length, precision.toFixed(2), (truePositives / cases.positive.length).toFixed(2)]);
  }
  process.stdout.write('Detector quality on the labelled corpus (test/support/detector-corpus.ts). Target: recall 1.00 on cards, IBANs and keys.\n');
  table(['label', 'positives', 'negatives', 'precision', 'recall'], rows);

  const prompts = {
    'French and Arabic prose': ('Bonjour, je voudrais un résumé du dossier médical. Le patient est suivi depuis 2019 pour une hypertension. ' + 'مرحبا، أريد ملخصا للملف الطبي للمريض. ').repeat(20).slice(0, 2048),
    'English with PII': ('Patient John Smith, mail john.smith@example.com, phone +1 415 555 0132, card 4111 1111 1111 1111, IBAN DE89370400440532013000. ').repeat(20).slice(0, 2048),
    'code with a secret': ('const client = new Client({ key: "sk-proj-abcdefghijklmnopqrstuvwx1234", region: "eu-west-1" });\nfor (let i = 0; i < 10; i++) run(i);\n').repeat(20).slice(0, 2048),
  };
  const timeRows: Array<Array<string | number>> = [];
  const median = (run: () => unknown): number => {
    for (let index = 0; index < 2_000; index += 1) run();
    const samples: number[] = [];
    for (let index = 0; index < 5_000; index += 1) {
      const started = process.hrtime.bigint();
      run();
      samples.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    return samples.sort((a, b) => a - b)[samples.length >> 1]!;
  };
  for (const [name, text] of Object.entries(prompts)) {
    const classify = median(() => detect(text));
    const baseline = median(() => text.match(/[\w.+-]+@[\w-]+\.[\w.]+/g));
    timeRows.push([name, text.length, classify.toFixed(1), baseline.toFixed(1), (classify / baseline).toFixed(1)]);
  }
  process.stdout.write('Classification of a 2 KB prompt, median of 5,000 runs. Target: under 50 µs.\n');
  table(['prompt', 'chars', 'classify µs', 'one global regex scan µs (baseline)', 'ratio'], timeRows);
}
