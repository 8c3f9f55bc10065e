// The detectors in a process that has seen no long text yet (node runs each test file in a process of
// its own, and this file classifies short texts only): the buffers the hot loops read are made for the
// first texts too. A regression test: the code array once started as a separate array of zeros, so
// until a text longer than 248 characters came, addresses and names in short texts were missed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detect } from '../src/policy/detectors.js';

const labels = (text: string): string[] => [...new Set(detect(text).map((span) => span.label))].sort();

describe('the detectors on short texts, first in a fresh process', () => {
  it('find an address, a name, a card and a phone in texts under 248 characters', () => {
    assert.ok(labels('Please send it to 221B Baker Street, London NW1 6XE.').includes('pii.address'));
    assert.ok(labels('Dear Mr John Smith, hello').includes('pii.name'));
    assert.ok(labels('card 4111 1111 1111 1111').includes('pii.card'));
    assert.ok(labels('call me on +33 6 12 34 56 78').includes('pii.phone'));
    assert.ok(labels('مرحبا، السيد أحمد الغامدي').includes('pii.name'));
  });
});
