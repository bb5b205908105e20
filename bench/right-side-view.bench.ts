/**
 * Q07 bench: the right side view by BFS (the textbook rightSideView, and its counted twin), by
 * right-first DFS, and by the naive per-depth search.
 * - A left comb of h = 3000 levels (n = 5999): BFS / DFS visit n nodes, the naive search ~h^2.
 * - A complete tree of 2^20 - 1 nodes: BFS holds a whole level (2^19 nodes), DFS at most 20.
 * Answers and visit counts are compared in one run before timing.
 */
import { bench, describe } from 'vitest';
import {
  rightSideView,
  rightSideViewBfs,
  rightSideViewDfs,
  rightSideViewPerDepth,
} from '../algorithms/right-side-view.js';
import { fromLevelOrder, leftComb } from '../algorithms/support/binary-tree.js';
import { Counter } from '../core/counter.js';

const SPINE = 3000;
const comb = fromLevelOrder(leftComb(SPINE));
const complete = fromLevelOrder(Array.from({ length: 2 ** 20 - 1 }, (_, i) => i));

const [naive, bfs] = [new Counter(), new Counter()];
const same = rightSideViewPerDepth(comb, naive).join() === rightSideViewBfs(comb, bfs).join();
const ratio = (naive.get('visits') / bfs.get('visits')).toFixed(0);
console.log(
  `right-side-view: left comb h = ${SPINE}: answers equal ${same}; visits naive ` +
    `${naive.get('visits')}, BFS ${bfs.get('visits')} (ratio ${ratio}x)`,
);
const [bfsBig, dfsBig] = [new Counter(), new Counter()];
const textbook = rightSideView(complete).join();
const sameBig =
  rightSideViewBfs(complete, bfsBig).join() === textbook &&
  rightSideViewDfs(complete, dfsBig).join() === textbook;
console.log(
  `right-side-view: complete tree 2^20 - 1: answers equal ${sameBig}; max frontier BFS ` +
    `${bfsBig.get('maxFrontier')}, DFS ${dfsBig.get('maxFrontier')}`,
);

describe(`right-side-view: left comb of ${SPINE} levels (n = ${2 * SPINE - 1})`, () => {
  bench('BFS by level (rightSideView)', () => void rightSideView(comb), {
    iterations: 50,
    time: 0,
    warmupIterations: 2,
  });
  bench('naive per-depth search, O(n h)', () => void rightSideViewPerDepth(comb), {
    iterations: 3,
    time: 0,
    warmupIterations: 1,
  });
});

describe('right-side-view: complete tree of 2^20 - 1 nodes', () => {
  bench('BFS by level (rightSideView)', () => void rightSideView(complete), {
    iterations: 5,
    time: 0,
    warmupIterations: 1,
  });
  bench('DFS, right child first', () => void rightSideViewDfs(complete), {
    iterations: 5,
    time: 0,
    warmupIterations: 1,
  });
});
