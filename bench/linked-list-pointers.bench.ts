/**
 * Q08 bench: the cycle entry by Floyd (two pointers, O(1) memory) vs a Set of visited nodes
 * (O(n) memory), on a list of 10^6 nodes whose tail links back to index 500,000.
 * Both answers are checked in one run before timing; the Set's memory is measured once as the
 * growth of the V8 heap while a Set of the 10^6 nodes is alive (Floyd holds two pointers).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bench, describe } from 'vitest';
import {
  cycleEntry,
  cycleEntryCounted,
  cycleEntryWithSet,
} from '../algorithms/linked-list-pointers.js';
import { withCycle } from '../algorithms/support/linked-list.js';
import { Counter } from '../core/counter.js';

const N = 1_000_000;
const { head, entry, nodes } = withCycle(new Array<number>(N).fill(0), N / 2);

const [floydSteps, setSteps] = [new Counter(), new Counter()];
const found =
  cycleEntry(head) === entry &&
  cycleEntryCounted(head, floydSteps) === entry &&
  cycleEntryWithSet(head, setSteps) === entry;
// A full collection before each reading, so the difference is the Set and not unrelated garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
gc();
const before = process.memoryUsage().heapUsed;
const visited = new Set(nodes);
gc();
const setMegabytes = (process.memoryUsage().heapUsed - before) / 2 ** 20;
console.log(
  `linked-list-pointers: n = 10^6, entry at 500,000: both found it ${found}; pointer steps Floyd ${floydSteps.get('steps')} (bound 5n = ${5 * N}), Set ${setSteps.get('steps')}; ` +
    `a Set of ${visited.size} nodes grows the heap by ~${setMegabytes.toFixed(0)} MB, Floyd holds 2 pointers`,
);

describe('linked-list-pointers: cycle entry in a list of 10^6 nodes', () => {
  bench('Floyd (the textbook cycleEntry), O(1) memory', () => void cycleEntry(head), {
    iterations: 10,
    time: 0,
    warmupIterations: 1,
  });
  bench('Set of visited nodes, O(n) memory', () => void cycleEntryWithSet(head), {
    iterations: 3,
    time: 0,
    warmupIterations: 1,
  });
});
