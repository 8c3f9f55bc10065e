// A tool definition that talks to the model rather than describing the tool ("tool poisoning": a
// description that tells the model to read ~/.ssh, to hide what it does from the user, or to ignore
// its instructions). A heuristic, documented in docs/mcp.md, and deliberately narrow: a definition it
// flags is not refused outright but held, as a changed definition is, until an admin accepts it; so a
// false alarm costs one `sovereign mcp tools accept`, and a missed one is still pinned (a later change
// is caught).
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

const patterns: ReadonlyArray<[RegExp, string]> = [
  [
    /\b(ignore|disregard|forget)\b[^.]{0,40}\b(previous|prior|above|earlier|other|all)\b[^.]{0,20}\b(instructions?|prompts?|rules)\b/i,
    'tells the model to ignore its instructions',
  ],
  [/<\s*\/?\s*(important|system|instructions?|secret)\s*>/i, 'carries tags addressed to the model'],
  [
    /\b(do not|don't|never)\s+(tell|inform|mention|reveal|show)\b[^.]{0,30}\b(user|human)\b/i,
    'tells the model to hide something from the user',
  ],
  [/\b(system prompt|developer message|your instructions)\b/i, "speaks of the model's own instructions"],
  [
    /\b(before|instead of)\s+(using|calling|running)\s+(this|any|the other|other)\s+tools?\b/i,
    'tells the model what to do before or instead of other tools',
  ],
  [/(~\/\.ssh|id_rsa|\.aws\/credentials|\.env\b|\/etc\/passwd)/i, 'names secret files'],
  [/\b(secretly|without (the user|them) knowing|silently (send|upload|forward))\b/i, 'asks for something done unseen'],
];

/** Why a definition reads as instructions to the model, or null. Reads every string of it, schemas included. */
export function instructionLikeText(tool: Tool): string | null {
  const texts: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 16) return;
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else if (value && typeof value === 'object') for (const item of Object.values(value)) walk(item, depth + 1);
  };
  walk([tool.title, tool.description, tool.inputSchema, tool.outputSchema], 0);
  const text = texts.join('\n');
  for (const [pattern, reason] of patterns) if (pattern.test(text)) return reason;
  return null;
}
