// The closed list of structural object keys: the field names of the APIs the gateway speaks (OpenAI
// chat, embeddings and Responses, Anthropic Messages, MCP tool calls) and the keywords of JSON
// Schema. A key on this list is a known constant, not data, wherever it appears, so classification
// does not scan it and a JSON path may show it; every other key is data: it is scanned like a value
// and shown as `*` in the paths the ledger records (a key can itself be personal data).
export const schemaKeys: ReadonlySet<string> = new Set([
  // OpenAI chat completions and embeddings
  'messages', 'role', 'content', 'type', 'text', 'name', 'tool_calls', 'tool_call_id', 'id', 'function', 'arguments',
  'tools', 'description', 'parameters', 'strict', 'tool_choice', 'parallel_tool_calls', 'response_format', 'json_schema',
  'schema', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'user', 'metadata', 'seed', 'n',
  'logprobs', 'top_logprobs', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'stream', 'stream_options',
  'include_usage', 'prediction', 'modalities', 'audio', 'voice', 'format', 'image_url', 'url', 'detail', 'input_audio',
  'data', 'file', 'file_data', 'file_id', 'filename', 'refusal', 'reasoning_effort', 'service_tier', 'store',
  'web_search_options', 'search_context_size', 'user_location', 'approximate', 'verbosity', 'prompt_cache_key',
  'safety_identifier', 'input', 'encoding_format', 'dimensions', 'model', 'labels',
  // OpenAI Responses and Conversations
  'instructions', 'previous_response_id', 'conversation', 'max_output_tokens', 'max_tool_calls', 'reasoning', 'effort',
  'summary', 'truncation', 'include', 'background', 'output', 'call_id', 'status', 'input_text', 'output_text',
  'input_image', 'input_file', 'image_url', 'file_url', 'top_k', 'items', 'annotations', 'encrypted_content',
  // Anthropic Messages
  'system', 'stop_sequences', 'source', 'media_type', 'tool_use_id', 'input_schema', 'cache_control', 'ttl', 'thinking',
  'budget_tokens', 'disable_parallel_tool_use', 'is_error', 'citations', 'title', 'context', 'user_id',
  // MCP (tools/call)
  'jsonrpc', 'method', 'params', '_meta', 'progressToken', 'structuredContent', 'isError', 'uri', 'mimeType', 'blob',
  'resource', 'annotations', 'audience', 'priority', 'lastModified',
  // JSON Schema (2020-12 and draft-07)
  '$schema', '$id', '$ref', '$defs', '$anchor', '$comment', 'definitions', 'properties', 'required', 'enum', 'const',
  'additionalProperties', 'patternProperties', 'propertyNames', 'unevaluatedProperties', 'anyOf', 'oneOf', 'allOf', 'not',
  'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'prefixItems', 'contains', 'minContains', 'maxContains',
  'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'default', 'examples', 'nullable', 'readOnly',
  'writeOnly', 'deprecated', 'contentEncoding', 'contentMediaType', 'contentSchema',
]);
