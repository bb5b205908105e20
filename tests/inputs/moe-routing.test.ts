/** Input checks of MoE routing (ml/moe-routing/): every bad call names its argument with a typed error. */
import { describe } from 'vitest';
import { ArgumentTypeError } from '../../core/errors.js';
import { matrix, randomMatrix } from '../../core/matrix.js';
import { rng } from '../../core/random.js';
import { tensorBackend, toTensor2d } from '../../core/backend.js';
import {
  applyCapacity,
  deepseekMoeForward,
  deepseekV3Gate,
  deepseekV3Route,
  expertCapacity,
  expertCombinations,
  expertLoad,
  expertUtilisation,
  fineGrainedLayer,
  initMoeLayer,
  keepTopKSoftmax,
  moeForward,
  pitfallBiasUpdateTowardsLoad,
  pitfallCapacityFromTopOne,
  pitfallTopKWithoutRenormalising,
  pitfallV3WeightsFromBiasedScores,
  placeExperts,
  replicateExperts,
  roundRobinPlacement,
  simulateBiasBalancing,
  skewedLogits,
  splitExpert,
  switchLoss,
  topKRoute,
  topKRouteLogits,
  topKRouteTf,
  topKRouteTfMatrix,
  updateBias,
  type Routing,
} from '../../ml/moe-routing/index.js';
import { badCalls } from '../support/answer-key.js';

const junk = <T>(v: unknown) => v as T;
const x = randomMatrix(3, 2, rng(1));
const gate = randomMatrix(4, 2, rng(2));
const logits = randomMatrix(3, 4, rng(3));
const routing = topKRoute(x, gate, 2);
const bias = [0, 0, 0, 0];
const layer = initMoeLayer({ d: 2, hidden: 4, shared: 1, routed: 4 }, rng(4));
const stream = { experts: 4, k: 2, tokens: 8, steps: 2, gamma: 0.01, skew: 1 };
const { tf } = await tensorBackend();

describe('top-k routing', () => {
  for (const route of [topKRoute, pitfallTopKWithoutRenormalising]) {
    badCalls([
      ['k larger than the number of experts', () => route(x, gate, 5), 'k'],
      ['k = 0', () => route(x, gate, 0), 'k'],
      ['k < 0', () => route(x, gate, -1), 'k'],
      ['a fractional k', () => route(x, gate, 1.5), 'k'],
      ['k that is a string', () => route(x, gate, junk('2')), 'k', ArgumentTypeError],
      ['zero experts (a gate with no rows)', () => route(x, matrix(0, 2), 1), 'gate'],
      ['x narrower than the gate', () => route(matrix(3, 1), gate, 1), 'x'],
      ['x that is not a Matrix', () => route(junk([[1, 2]]), gate, 1), 'x', ArgumentTypeError],
    ]);
  }
  for (const route of [topKRouteLogits, keepTopKSoftmax]) {
    badCalls([
      ['k larger than the number of experts', () => route(logits, 5), 'k'],
      ['k = 0', () => route(logits, 0), 'k'],
      ['zero experts (no columns)', () => route(matrix(3, 0), 1), 'logits'],
      ['NaN logits', () => route(matrix(1, 2, [0, Number.NaN]), 1), 'logits[1]'],
    ]);
  }
  badCalls([
    ['a routing that is null', () => expertLoad(junk(null)), 'routing', ArgumentTypeError],
    [
      'experts and scores of different lengths',
      () => expertLoad({ ...routing, experts: routing.experts.slice(1) }),
      'routing.experts',
    ],
    [
      'an expert index out of range',
      () => expertLoad({ ...routing, experts: [[0, 4], ...routing.experts.slice(1)] }),
      'routing.experts[0][1]',
    ],
    [
      'the same expert twice for one token',
      () => expertLoad({ ...routing, experts: [[1, 1], ...routing.experts.slice(1)] }),
      'routing.experts[0][1]',
    ],
    [
      'weights of the wrong length',
      () => expertLoad({ ...routing, weights: [[1], ...routing.weights.slice(1)] }),
      'routing.weights[0]',
    ],
  ]);
});

describe('tfjs twin', () => {
  badCalls([
    [
      'a plain object for tf',
      () => topKRouteTf(junk({}), toTensor2d(tf, logits), 1),
      'tf',
      ArgumentTypeError,
    ],
    [
      'logits that are a Matrix',
      () => topKRouteTf(tf, junk(logits), 1),
      'logits',
      ArgumentTypeError,
    ],
    ['k larger than the number of experts', () => topKRouteTf(tf, toTensor2d(tf, logits), 5), 'k'],
    ['k = 0', () => topKRouteTf(tf, toTensor2d(tf, logits), 0), 'k'],
    ['zero experts', () => topKRouteTf(tf, toTensor2d(tf, matrix(2, 0)), 1), 'logits'],
    ['the Matrix edge checks k', () => topKRouteTfMatrix(logits, 9), 'k'],
  ]);
});

describe('Switch loss and capacity', () => {
  const sigmoidRouting = deepseekV3Route(logits, bias, { k: 2 });
  badCalls([
    ['a negative alpha', () => switchLoss(routing, -0.01), 'alpha'],
    ['a NaN alpha', () => switchLoss(routing, Number.NaN), 'alpha'],
    [
      'sigmoid affinities instead of probabilities',
      () => switchLoss(sigmoidRouting),
      'routing.scores',
    ],
    [
      'no tokens',
      () => switchLoss({ scores: matrix(0, 4), experts: [], weights: [] } satisfies Routing),
      'routing',
    ],
    ['capacity factor 0', () => expertCapacity(8, 4, 0), 'capacityFactor'],
    ['a negative capacity factor', () => expertCapacity(8, 4, -1.25), 'capacityFactor'],
    ['zero experts', () => expertCapacity(8, 0, 1.25), 'numExperts'],
    ['k larger than the number of experts', () => expertCapacity(8, 4, 1.25, 5), 'k'],
    ['k = 0', () => expertCapacity(8, 4, 1.25, 0), 'k'],
    ['fractional tokens', () => expertCapacity(7.5, 4, 1.25), 'tokens'],
    [
      'the pitfall checks its factor too',
      () => pitfallCapacityFromTopOne(8, 4, 0, 2),
      'capacityFactor',
    ],
    ['a negative capacity', () => applyCapacity(routing, -1), 'capacity'],
    ['a fractional capacity', () => applyCapacity(routing, 1.5), 'capacity'],
  ]);
});

describe("DeepSeek-V3's gate and its bias", () => {
  for (const route of [deepseekV3Route, pitfallV3WeightsFromBiasedScores]) {
    badCalls([
      ['k larger than the number of experts', () => route(logits, bias, { k: 5 }), 'config.k'],
      ['k = 0', () => route(logits, bias, { k: 0 }), 'config.k'],
      ['a bias of the wrong length', () => route(logits, [0, 0], { k: 1 }), 'bias'],
      ['a NaN bias', () => route(logits, [0, Number.NaN, 0, 0], { k: 1 }), 'bias[1]'],
      ['route scale 0', () => route(logits, bias, { k: 1, routeScale: 0 }), 'config.routeScale'],
      ['zero experts', () => route(matrix(3, 0), [], { k: 1 }), 'logits'],
      ['a config that is null', () => route(logits, bias, junk(null)), 'config', ArgumentTypeError],
    ]);
  }
  badCalls([
    [
      'groups that do not divide N',
      () => deepseekV3Route(logits, bias, { k: 1, groups: 3 }),
      'config.groups',
    ],
    [
      'more kept groups than groups',
      () => deepseekV3Route(logits, bias, { k: 1, groups: 2, topGroups: 3 }),
      'config.topGroups',
    ],
    [
      'k larger than the experts of the kept groups',
      () => deepseekV3Route(logits, bias, { k: 3, groups: 2, topGroups: 1 }),
      'config.k',
    ],
    ['a gate of the wrong width', () => deepseekV3Gate(x, matrix(4, 3), bias, { k: 1 }), 'x'],
    ['a gate with no experts', () => deepseekV3Gate(x, matrix(0, 2), [], { k: 1 }), 'gate'],
  ]);
  for (const update of [updateBias, pitfallBiasUpdateTowardsLoad]) {
    badCalls([
      ['gamma < 0', () => update(bias, [1, 2, 3, 4], -0.001), 'gamma'],
      ['a NaN gamma', () => update(bias, [1, 2, 3, 4], Number.NaN), 'gamma'],
      ['a load of the wrong length', () => update(bias, [1, 2], 0.001), 'load'],
      ['a negative load', () => update(bias, [1, -2, 3, 4], 0.001), 'load[1]'],
      ['zero experts', () => update([], [], 0.001), 'bias'],
      [
        'a bias that is a string',
        () => update(junk('0000'), [1, 2, 3, 4], 0.001),
        'bias',
        ArgumentTypeError,
      ],
    ]);
  }
  badCalls([
    [
      'gamma < 0 in the simulation',
      () => simulateBiasBalancing({ ...stream, gamma: -1 }, rng(1)),
      'config.gamma',
    ],
    [
      'k larger than the experts',
      () => simulateBiasBalancing({ ...stream, k: 5 }, rng(1)),
      'config.k',
    ],
    [
      'zero experts',
      () => simulateBiasBalancing({ ...stream, experts: 0 }, rng(1)),
      'config.experts',
    ],
    ['zero steps', () => simulateBiasBalancing({ ...stream, steps: 0 }, rng(1)), 'config.steps'],
    [
      'a run too long to finish',
      () => simulateBiasBalancing({ ...stream, tokens: 4096, steps: 4096 }, rng(1)),
      'config.steps',
    ],
    [
      'a plain object for the rng',
      () => simulateBiasBalancing(stream, junk({ normal: () => 0 })),
      'rng',
      ArgumentTypeError,
    ],
    [
      'an update that is not a function',
      () => simulateBiasBalancing(stream, rng(1), junk(1)),
      'update',
      ArgumentTypeError,
    ],
    ['a NaN skew', () => skewedLogits(4, 4, Number.NaN, rng(1)), 'skew'],
  ]);
});

describe('the MoE layer and fine-grained experts', () => {
  badCalls([
    ['x of the wrong width', () => deepseekMoeForward(layer, matrix(3, 3), { k: 1 }), 'x'],
    ['k larger than the routed experts', () => deepseekMoeForward(layer, x, { k: 5 }), 'config.k'],
    ['a routing for other tokens', () => moeForward(layer, matrix(2, 2), routing), 'routing'],
    [
      'a routing over more experts than the layer has',
      () => moeForward({ ...layer, routed: layer.routed.slice(1) }, x, routing),
      'routing',
    ],
    [
      'a routed expert of the wrong shape',
      () =>
        moeForward(
          {
            ...layer,
            routed: [{ ...layer.routed[0]!, w2: matrix(2, 3) }, ...layer.routed.slice(1)],
          },
          x,
          routing,
        ),
      'layer.routed[0].w2',
    ],
    [
      'shared experts that are not an array',
      () => moeForward({ ...layer, shared: junk(1) }, x, routing),
      'layer.shared',
      ArgumentTypeError,
    ],
    ['a split that does not divide the hidden width', () => splitExpert(layer.routed[0]!, 3), 'm'],
    ['a split of 0', () => splitExpert(layer.routed[0]!, 0), 'm'],
    ['a fine-grained split that does not divide', () => fineGrainedLayer(layer, 3), 'm'],
    ['a bias of the wrong length', () => fineGrainedLayer({ ...layer, bias: [0] }, 2), 'bias'],
    ['k > n in C(n, k)', () => expertCombinations(4, 5), 'k'],
    ['C(n, k) past 2^53', () => expertCombinations(1000, 500), 'n'],
    [
      'zero routed experts',
      () => initMoeLayer({ d: 2, hidden: 4, shared: 1, routed: 0 }, rng(1)),
      'sizes.routed',
    ],
    [
      'a plain object for the rng',
      () => initMoeLayer({ d: 2, hidden: 4, shared: 1, routed: 2 }, junk({})),
      'rng',
      ArgumentTypeError,
    ],
  ]);
});

describe('placement and utilisation', () => {
  for (const place of [placeExperts, roundRobinPlacement]) {
    badCalls([
      ['zero experts', () => place([], { devices: 2, slots: 2 }), 'load'],
      ['a negative load', () => place([1, -1], { devices: 2, slots: 2 }), 'load[1]'],
      ['zero devices', () => place([1, 2], { devices: 0, slots: 2 }), 'config.devices'],
      ['zero slots', () => place([1, 2], { devices: 2, slots: 0 }), 'config.slots'],
      [
        'more slots than the bound',
        () => place([1, 2], { devices: 64, slots: 4096 }),
        'config.slots',
      ],
      ['a config that is null', () => place([1, 2], junk(null)), 'config', ArgumentTypeError],
    ]);
  }
  badCalls([
    ['fewer slots than experts', () => replicateExperts([1, 2, 3], 2, 2), 'total'],
    ['zero copies allowed', () => replicateExperts([1, 2], 4, 0), 'maxCopies'],
    ['zero experts', () => expertUtilisation([]), 'load'],
    ['no routed token', () => expertUtilisation([0, 0, 0]), 'load'],
    ['a negative load', () => expertUtilisation([1, -1]), 'load[1]'],
    ['more dropped than routed', () => expertUtilisation([1, 2], 4), 'dropped'],
    ['a negative dropped count', () => expertUtilisation([1, 2], -1), 'dropped'],
    ['a dead threshold of 1', () => expertUtilisation([1, 2], 0, 1), 'deadBelow'],
    ['a load that is a string', () => expertUtilisation(junk('12')), 'load', ArgumentTypeError],
  ]);
});
