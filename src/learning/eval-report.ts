// A shadow evaluation as a person reads it: a plain-text table for the terminal and one HTML page that works
// offline (inline CSS and SVG, nothing fetched), both leading with the verdict sentence. Pure: strings in,
// strings out. Rounding happens here, for display only.
import { type EvalReport, verdictOf } from './eval-stats.js';

export interface ReportMeta {
  /** The judge model, as configured. */
  judge: string;
  alias?: string;
  /** When the judged pairs start, as the caller wants it shown. */
  since?: string;
  /** The non-inferiority margin of the verdict (default 0.05). */
  margin?: number;
}

/** Judge and alias names come from config: every string put in the page goes through here. */
export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!,
  );

const rate = (value: number): string => value.toFixed(2);
const milliseconds = (value: number): string => String(Math.round(value));
const tokens = (value: number): string => value.toFixed(1);

/** Costs are often fractions of a cent: three significant digits rather than a fixed number of decimals. */
function cost(value: number | null): string {
  if (value === null) return 'no prices';
  if (value === 0 || Math.abs(value) >= 1) return value.toFixed(2);
  return String(Number(value.toPrecision(3)));
}

function heading(meta: ReportMeta): string {
  const details = [...(meta.since === undefined ? [] : [`since ${meta.since}`]), `judged by ${meta.judge}`];
  return `Shadow evaluation${meta.alias === undefined ? '' : ` of alias ${meta.alias}`}, ${details.join(', ')}`;
}

function verdictRows(report: EvalReport): string[][] {
  return [
    ['pairs', String(report.pairs)],
    ['shadow wins', String(report.shadow_wins)],
    ['primary wins', String(report.primary_wins)],
    ['ties', String(report.ties)],
    ['win rate', rate(report.win_rate)],
    ['95 % interval (paired bootstrap)', `${rate(report.ci95.low)}–${rate(report.ci95.high)}`],
    ['length-controlled win rate', rate(report.length_controlled_win_rate)],
    ['flip rate', rate(report.flip_rate)],
  ];
}

function sideRows(report: EvalReport): string[][] {
  return [
    ['latency p50 (ms)', milliseconds(report.latency_ms.primary.p50), milliseconds(report.latency_ms.shadow.p50)],
    ['latency p99 (ms)', milliseconds(report.latency_ms.primary.p99), milliseconds(report.latency_ms.shadow.p99)],
    ['input tokens (mean)', tokens(report.tokens.primary.input), tokens(report.tokens.shadow.input)],
    ['output tokens (mean)', tokens(report.tokens.primary.output), tokens(report.tokens.shadow.output)],
    ['cost (mean)', cost(report.cost.primary), cost(report.cost.shadow)],
  ];
}

/** First column left-aligned, the others right-aligned, each as wide as its widest cell. */
function textTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    for (const [column, cell] of row.entries()) widths[column] = Math.max(widths[column] ?? 0, cell.length);
  return rows
    .map((row) =>
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  '),
    )
    .map((line) => `  ${line.trimEnd()}`)
    .join('\n');
}

/** A readable plain-text report: heading, verdict sentence, the counts and rates, then the figures per side. */
export function textReport(report: EvalReport, meta: ReportMeta): string {
  const { sentence } = verdictOf(report, meta.margin);
  return [
    heading(meta),
    sentence,
    '',
    'Verdicts (a side wins a pair only when both orders of the judge name it)',
    textTable(verdictRows(report)),
    '',
    'Per answer',
    textTable([['', 'primary', 'shadow'], ...sideRows(report)]),
    '',
  ].join('\n');
}

/**
 * The interval on a 0–1 scale against the 0.5 − margin line it has to clear, and the parity line at 0.5.
 * No xmlns attribute: an inline SVG in HTML does not need one, and the page holds no URL of any kind.
 */
function intervalBar(report: EvalReport, margin: number, notWorse: boolean, label: string): string {
  const left = 20;
  const width = 560;
  const at = (value: number): number => Math.round((left + Math.min(1, Math.max(0, value)) * width) * 10) / 10;
  const bar = 0.5 - margin;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (tick) =>
        `<line x1="${at(tick)}" y1="52" x2="${at(tick)}" y2="57" stroke="#6b7280"/><text x="${at(tick)}" y="72" text-anchor="middle">${tick}</text>`,
    )
    .join('');
  const interval =
    report.pairs === 0
      ? ''
      : `<rect x="${at(report.ci95.low)}" y="30" width="${Math.max(1, Math.round((at(report.ci95.high) - at(report.ci95.low)) * 10) / 10)}" height="16" rx="3" fill="${notWorse ? '#1b7f3b' : '#b7791f'}" opacity="0.8"/><circle cx="${at(report.win_rate)}" cy="38" r="5" fill="#111"/>`;
  return `<svg width="600" height="80" viewBox="0 0 600 80" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title><line x1="${left}" y1="52" x2="${left + width}" y2="52" stroke="#6b7280"/>${ticks}<line x1="${at(0.5)}" y1="22" x2="${at(0.5)}" y2="52" stroke="#9ca3af"/><line x1="${at(bar)}" y1="14" x2="${at(bar)}" y2="52" stroke="#b42318" stroke-width="2" stroke-dasharray="4 3"/><text x="${at(bar)}" y="11" text-anchor="middle" fill="#b42318">${escapeHtml(`0.5 − margin = ${rate(bar)}`)}</text>${interval}</svg>`;
}

function htmlTable(header: string[] | null, rows: string[][]): string {
  const cells = (row: string[], tag: 'td' | 'th'): string =>
    row.map((cell) => `<${tag}>${escapeHtml(cell)}</${tag}>`).join('');
  const head = header === null ? '' : `<tr>${cells(header, 'th')}</tr>`;
  return `<table>${head}${rows.map((row) => `<tr>${cells(row, 'td')}</tr>`).join('')}</table>`;
}

/** One self-contained HTML document: inline CSS and SVG, no script, nothing fetched. */
export function htmlReport(report: EvalReport, meta: ReportMeta): string {
  const margin = meta.margin ?? 0.05;
  const { notWorse, sentence } = verdictOf(report, margin);
  const title = heading(meta);
  const interval =
    report.pairs === 0
      ? 'no judged pairs'
      : `win rate ${rate(report.win_rate)}, 95 % interval ${rate(report.ci95.low)}–${rate(report.ci95.high)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font:15px system-ui,sans-serif;margin:2rem;color:#111;max-width:960px}table{border-collapse:collapse;margin-bottom:1rem}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}td+td{text-align:right;font-variant-numeric:tabular-nums}.verdict{font-size:1.3rem;padding:0.8rem 1rem;border-left:6px solid}.ok{border-color:#1b7f3b;background:#ecfdf3}.warn{border-color:#b7791f;background:#fffbeb}.note{color:#4b5563;font-size:13px}svg text{font:12px system-ui,sans-serif}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="verdict ${notWorse ? 'ok' : 'warn'}">${escapeHtml(sentence)}</p>
${intervalBar(report, margin, notWorse, interval)}
<h2>Verdicts</h2>${htmlTable(null, verdictRows(report))}
<h2>Per answer</h2>${htmlTable(['', 'primary', 'shadow'], sideRows(report))}
<p class="note">Each pair is judged twice with the order swapped; a side wins only when both orders name it, otherwise the pair is a tie. The flip rate is the share of pairs whose two verdicts name different sides (a tie counting as a side of its own). The interval is a percentile bootstrap over pairs; the length-controlled win rate is a logistic fit on the difference in answer length, read at equal lengths. Percentiles are nearest-rank.</p>
</body></html>
`;
}
