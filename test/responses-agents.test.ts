// An agent framework that speaks Responses (@openai/agents 0.14.3) against the real gateway: an agent
// with one tool, run streamed and not, over an openai-compatible upstream that first calls the tool
// and then answers; the tool's result must reach the upstream as a `tool` message with the call's id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, OpenAIResponsesModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';

/** The chat completion requests the upstream received since `from` (the gateway sends nothing else there). */
const chatRequests = (double: Double, from: number): any[] =>
  double.received
    .slice(from)
    .filter((received) => received.method === 'POST' && received.path.endsWith('/chat/completions'))
    .map((received) => received.body);

/**
 * How the framework keeps the turn's state: it resends every item, or the gateway keeps them (a chain or a
 * conversation).
 */
type StateMode = 'items resent' | 'previous_response_id' | 'conversation';

describe('an @openai/agents agent with a tool, through the gateway', () => {
  let upstream: Double;
  let gateway: TestGateway;
  let client: OpenAI;
  let agent: Agent;
  /** What the framework sent to POST /v1/responses, in order. */
  const sent: any[] = [];
  const toolCalls: string[] = [];

  before(async () => {
    // The framework exports traces to api.openai.com unless told not to; nothing may leave loopback.
    setTracingDisabled(true);
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('owned', upstream.url)],
      models: { ours: { candidates: ['owned/m1'] } },
    });
    const recording: typeof fetch = (url, init) => {
      if (String(url).endsWith('/v1/responses') && typeof init?.body === 'string') sent.push(JSON.parse(init.body));
      return fetch(url, init);
    };
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.key, maxRetries: 0, fetch: recording });
    const weather = tool({
      name: 'weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        toolCalls.push(city);
        return `sunny in ${city}`;
      },
    });
    // The model is given per agent, so no process-wide default client is changed for other tests.
    agent = new Agent({
      name: 'forecaster',
      instructions: 'Answer with the weather.',
      model: new OpenAIResponsesModel(client, 'ours'),
      tools: [weather],
    });
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const cases: Array<{ stream: boolean; state: StateMode }> = [
    { stream: false, state: 'items resent' },
    { stream: true, state: 'items resent' },
    { stream: false, state: 'previous_response_id' },
    { stream: true, state: 'conversation' },
  ];
  for (const { stream, state } of cases) {
    it(`runs the tool loop ${stream ? 'streamed' : 'not streamed'}, state kept by ${state === 'items resent' ? 'the framework' : `the gateway (${state})`}: the tool's result reaches the upstream as a tool message with the call id`, async () => {
      const options: { previousResponseId?: string; conversationId?: string } = {};
      let history: Array<{ role: string; content: string }> = [];
      if (state === 'previous_response_id') {
        const earlier = await client.responses.create({ model: 'ours', input: 'Good morning' });
        options.previousResponseId = earlier.id;
        history = [
          { role: 'user', content: 'Good morning' },
          { role: 'assistant', content: 'echo: Good morning' },
        ];
      }
      if (state === 'conversation') {
        const conversation = await client.conversations.create({
          items: [{ type: 'message', role: 'user', content: 'I live in Lyon.' }],
        });
        options.conversationId = conversation.id;
        history = [{ role: 'user', content: 'I live in Lyon.' }];
      }
      const fromUpstream = upstream.received.length;
      const fromSent = sent.length;
      const calledBefore = toolCalls.length;
      upstream.script(
        { kind: 'tool-call', name: 'weather', arguments: '{"city":"Lyon"}' },
        { kind: 'ok', text: 'It is sunny in Lyon.' },
      );

      let finalOutput: unknown;
      const rawEvents: any[] = [];
      if (stream) {
        const result = await run(agent, 'What is the weather in Lyon?', { ...options, stream: true });
        for await (const event of result)
          if (event.type === 'raw_model_stream_event' && event.data.type === 'model') rawEvents.push(event.data.event);
        await result.completed;
        assert.equal(result.error, null);
        finalOutput = result.finalOutput;
      } else {
        finalOutput = (await run(agent, 'What is the weather in Lyon?', options)).finalOutput;
      }
      assert.equal(finalOutput, 'It is sunny in Lyon.');
      assert.deepEqual(
        toolCalls.slice(calledBefore),
        ['Lyon'],
        'the tool ran once, with the arguments the upstream gave',
      );

      const requests = chatRequests(upstream, fromUpstream);
      assert.equal(requests.length, 2, 'one upstream call for the tool call, one for the answer');
      assert.equal(requests[0].stream === true, stream, 'the upstream is streamed when the agent is');
      assert.equal(requests[0].tools[0].function.name, 'weather', 'the tool reaches the upstream in its dialect');
      const messages = requests[1].messages;
      assert.deepEqual(messages.slice(0, 2 + history.length), [
        { role: 'system', content: 'Answer with the weather.' },
        ...history,
        { role: 'user', content: 'What is the weather in Lyon?' },
      ]);
      assert.deepEqual(messages.at(-2), {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Lyon"}' } }],
      });
      assert.deepEqual(messages.at(-1), { role: 'tool', tool_call_id: 'call_1', content: 'sunny in Lyon' });
      assert.equal(
        messages.length,
        4 + history.length,
        'nothing twice: the stored items and what the framework sent do not overlap',
      );

      const followUp = sent.slice(fromSent).at(-1);
      if (state === 'items resent')
        assert.deepEqual(
          followUp.input.map((item: any) => item.type ?? item.role),
          ['user', 'function_call', 'function_call_output'],
        );
      else
        assert.deepEqual(
          followUp.input.map((item: any) => item.type),
          ['function_call_output'],
          'the framework sent only the tool result: the rest came from the gateway',
        );

      if (stream) {
        // Two streams, one a model call: the tool call, then the answer; each counts its events from 0.
        const streams: any[][] = [];
        for (const event of rawEvents) {
          if (event.type === 'response.created') streams.push([]);
          streams.at(-1)!.push(event);
        }
        assert.equal(streams.length, 2);
        const [call, answer] = streams.map((events) => events.map((event) => event.type)) as [string[], string[]];
        assert.deepEqual(call, [
          'response.created',
          'response.in_progress',
          'response.output_item.added',
          'response.function_call_arguments.delta',
          'response.function_call_arguments.done',
          'response.output_item.done',
          'response.completed',
        ]);
        assert.deepEqual(answer.slice(0, 4), [
          'response.created',
          'response.in_progress',
          'response.output_item.added',
          'response.content_part.added',
        ]);
        assert.ok(answer.includes('response.output_text.delta'));
        assert.deepEqual(answer.slice(-4), [
          'response.output_text.done',
          'response.content_part.done',
          'response.output_item.done',
          'response.completed',
        ]);
        for (const events of streams)
          assert.deepEqual(
            events.map((event) => event.sequence_number),
            events.map((_, index) => index),
            'sequence numbers count every event of a stream from 0',
          );
      }
    });
  }
});
