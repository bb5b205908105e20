/**
 * DeepSeek's MoE layer: DeepSeekMoE's shared and fine-grained routed experts (Dai et al. 2024,
 * arXiv 2401.06066) routed by DeepSeek-V3's gate (arXiv 2412.19437; deepseek-ai/DeepSeek-V3
 * inference/model.py, class Gate, at 1ea5a1a), with its auxiliary-loss-free bias balancing.
 *
 *   y = sum_{s=1}^{K_s} FFN^(s)(x) + sum_{i in chosen} g_i FFN^(r)_i(x)      (the block adds x)
 *   s_i = sigmoid(x e_i^T)                                  affinities, e_i the rows of the gate
 *   chosen = TopK(s_i + b_i, K)            the bias b_i is used ONLY to choose the experts
 *   g_i = routeScale * s_i / sum_{j in chosen} s_j           weights from the UNbiased s
 *   b_i -= gamma if expert i is overloaded, += gamma if underloaded        (after each step)
 *
 * Group-limited routing (V3's Gate): the N experts form G groups of N / G; a group's score is the
 * sum of its two best biased scores (the biased path of the official code); only the top
 * `topGroups` groups stay, the others are masked to -Infinity before the top-K. DeepSeek-V3
 * (inference/configs/config_671B.json): 256 routed experts in 8 groups, 4 groups per token, K = 8,
 * routeScale 2.5, 1 shared expert, sigmoid scores. Another stored version of model.py (013e221)
 * adds the bias in place and gathers the weights from the biased scores: wrong, and kept here as
 * `pitfallV3WeightsFromBiasedScores`.
 *
 * Fine-grained segmentation: split every expert's hidden units into m pieces (each 1/m of the
 * FFN), make m N experts and activate m K: the same parameters and expert compute, C(mN, mK)
 * combinations instead of C(N, K) (the paper: C(16, 2) = 120, C(64, 8) = 4,426,165,368). With the
 * m pieces of the chosen experts chosen together and routeScale m times larger, the fine layer
 * computes exactly the coarse one (the key checks it).
 *
 * Conventions: experts are SwiGLU FFNs (ml/swiglu.ts, w2(SiLU(w1 x) * w3 x), as DeepSeek's
 * Expert); weights [d_out, d_in]; top-k ties go to the lower index. Complexity: router O(T N d),
 * experts O(T (K_s + K) 3 d h) for hidden width h.
 */
import {
  ArgumentError,
  assertArray,
  assertFinite,
  assertFiniteArray,
  assertInteger,
  assertObject,
} from '../../core/errors.js';
import { assertOptionalCounter, type Counter } from '../../core/counter.js';
import { assertMatrix, matrix, rowOf, shapeOf, type Matrix } from '../../core/matrix.js';
import { assertRng, type Rng } from '../../core/random.js';
import { gateLogits } from '../gates.js';
import { softmax } from '../softmax.js';
import { gatedFfn, initGatedFfn, silu, type GatedFfnWeights } from '../swiglu.js';
import { logSigmoid, topKOf } from './kernels.js';
import { assertExperts, assertK, assertRouting, type Routing } from './routing.js';

/** How DeepSeek-V3's gate routes: K experts, the weight scale, and the group limit. */
export interface DeepseekV3Config {
  /** Routed experts per token (DeepSeek-V3: 8). */
  k: number;
  /** Multiplies the renormalised weights (DeepSeek-V3: 2.5). Default 1. */
  routeScale?: number;
  /** Expert groups G, a divisor of N (DeepSeek-V3: 8). Default 1: no group limit. */
  groups?: number;
  /** Groups a token may draw its experts from (DeepSeek-V3: 4). Default: all of them. */
  topGroups?: number;
}

/** DeepSeek-V3's MoE sizes, from inference/configs/config_671B.json. */
export const DEEPSEEK_V3 = {
  routedExperts: 256,
  sharedExperts: 1,
  k: 8,
  groups: 8,
  topGroups: 4,
  routeScale: 2.5,
  denseLayers: 3,
} as const;

/** Checks a config against N experts and fills in the defaults. */
export function assertV3Config(config: unknown, numExperts: number): Required<DeepseekV3Config> {
  assertObject('config', config, 'a config { k, routeScale?, groups?, topGroups? }');
  assertInteger('numExperts', numExperts, { min: 1 });
  const { k, routeScale = 1, groups = 1 } = config as Partial<DeepseekV3Config>;
  assertInteger('config.groups', groups, { min: 1, max: numExperts });
  if (numExperts % groups !== 0)
    throw new ArgumentError('config.groups', groups, `a divisor of the ${numExperts} experts`);
  const { topGroups = groups } = config as Partial<DeepseekV3Config>;
  assertInteger('config.topGroups', topGroups, { min: 1, max: groups });
  // the k experts must fit in the groups a token keeps
  assertK('config.k', k, topGroups * (numExperts / groups));
  assertFinite('config.routeScale', routeScale);
  if (routeScale <= 0) throw new ArgumentError('config.routeScale', routeScale, 'a scale > 0');
  return { k, routeScale, groups, topGroups };
}

/** Throws unless `bias` holds one finite number per expert. */
function assertBias(bias: unknown, numExperts: number): asserts bias is ArrayLike<number> {
  assertFiniteArray('bias', bias);
  if (bias.length !== numExperts)
    throw new ArgumentError('bias', bias, `${numExperts} values, one per expert`);
}

/**
 * DeepSeek-V3's routing from router logits h = x W^T [T, N]: sigmoid affinities, selection by
 * s + bias within the kept groups, weights from s renormalised over the chosen, times routeScale.
 */
export function deepseekV3Route(
  logits: Matrix,
  bias: ArrayLike<number>,
  config: DeepseekV3Config,
): Routing {
  assertExperts('logits', logits);
  const n = logits.cols;
  assertBias(bias, n);
  const { k, routeScale, groups, topGroups } = assertV3Config(config, n);
  const size = n / groups;
  const scores = matrix(logits.rows, n);
  const experts: number[][] = [];
  const weights: number[][] = [];
  const biased = new Float64Array(n);
  for (let t = 0; t < logits.rows; t++) {
    // s_i = sigmoid(h_i) and the selection scores s_i + b_i: [N]
    const h = rowOf(logits, t);
    const s = rowOf(scores, t);
    for (let i = 0; i < n; i++) {
      s[i] = Math.exp(logSigmoid(h[i] as number));
      biased[i] = (s[i] as number) + (bias[i] as number);
    }
    if (topGroups < groups) {
      // a group's score: the sum of its two best biased scores (one if a group has one expert)
      const groupScore = Array.from({ length: groups }, (_, g) => {
        const members = biased.subarray(g * size, (g + 1) * size);
        return topKOf(members, Math.min(2, size)).reduce((sum, j) => sum + members[j]!, 0);
      });
      const kept = new Set(topKOf(groupScore, topGroups));
      for (let i = 0; i < n; i++) if (!kept.has(Math.floor(i / size))) biased[i] = -Infinity;
    }
    const chosen = topKOf(biased, k);
    // g = routeScale * s_e / sum_chosen s, from the UNbiased s
    experts.push(chosen);
    weights.push(renormalised(chosen, s, h, routeScale));
  }
  return { scores, experts, weights };
}

/** scale s_e / sum_{j in chosen} s_j; if every chosen s underflowed to 0, the same from log s. */
function renormalised(
  chosen: readonly number[],
  s: ArrayLike<number>,
  h: ArrayLike<number>,
  scale: number,
): number[] {
  const total = chosen.reduce((sum, e) => sum + (s[e] as number), 0);
  // a ratio of sigmoids is a softmax of log-sigmoids: no 0 / 0 for logits below -745
  const g =
    total > 1e-300
      ? chosen.map((e) => (s[e] as number) / total)
      : softmax(chosen.map((e) => logSigmoid(h[e] as number)));
  return g.map((v) => scale * v);
}

/** DeepSeek-V3's gate on tokens x [T, d] with router weights (centroids) gate [N, d]. */
export function deepseekV3Gate(
  x: Matrix,
  gate: Matrix,
  bias: ArrayLike<number>,
  config: DeepseekV3Config,
): Routing {
  return deepseekV3Route(gateLogits(x, gate), bias, config);
}

/**
 * The auxiliary-loss-free update after a step: b_i - gamma if expert i got more than the mean
 * load, b_i + gamma if less, unchanged if exactly the mean. Returns a new bias; no gradient.
 */
export function updateBias(
  bias: ArrayLike<number>,
  load: ArrayLike<number>,
  gamma: number,
): Float64Array {
  const mean = assertUpdate(bias, load, gamma);
  // b_i <- b_i - gamma sign(load_i - mean load)
  return Float64Array.from(
    bias,
    (b, i) => (b as number) - gamma * Math.sign((load[i] as number) - mean),
  );
}

/** Checks an update's arguments; returns the mean load. */
export function assertUpdate(bias: unknown, load: unknown, gamma: unknown): number {
  assertFiniteArray('bias', bias);
  if (bias.length === 0) throw new ArgumentError('bias', bias, 'one value per expert (N >= 1)');
  assertFiniteArray('load', load);
  if (load.length !== bias.length)
    throw new ArgumentError('load', load, `${bias.length} loads, one per bias entry`);
  let total = 0;
  for (let i = 0; i < load.length; i++) {
    const l = load[i] as number;
    if (l < 0) throw new ArgumentError(`load[${i}]`, l, 'a load >= 0');
    total += l;
  }
  assertFinite('gamma', gamma);
  if (gamma < 0) throw new ArgumentError('gamma', gamma, 'a bias update speed >= 0');
  return total / load.length;
}

/** An MoE layer's experts: always-on shared ones and routed ones, all SwiGLU FFNs. */
export interface MoeLayer {
  /** K_s shared experts: every token goes through all of them. */
  readonly shared: readonly GatedFfnWeights[];
  /** N routed experts: a token goes through the k its router chose. */
  readonly routed: readonly GatedFfnWeights[];
}

/** A DeepSeek MoE layer: the experts, the router's centroids [N, d] and the balancing bias [N]. */
export interface DeepseekMoeLayer extends MoeLayer {
  readonly gate: Matrix;
  readonly bias: ArrayLike<number>;
}

/** Throws unless `e` is a SwiGLU FFN on width d: w1, w3 [h, d] and w2 [d, h], h >= 1. */
function assertExpert(where: string, e: unknown, d: number): asserts e is GatedFfnWeights {
  assertObject(where, e, 'SwiGLU weights { w1, w3, w2 }');
  const { w1, w3, w2 } = e as Partial<GatedFfnWeights>;
  assertMatrix(`${where}.w1`, w1);
  assertMatrix(`${where}.w3`, w3);
  assertMatrix(`${where}.w2`, w2);
  const h = w1.rows;
  if (w1.cols !== d || h === 0)
    throw new ArgumentError(`${where}.w1`, w1, `shape [h >= 1, ${d}]`, `shape ${shapeOf(w1)}`);
  if (w3.rows !== h || w3.cols !== d)
    throw new ArgumentError(
      `${where}.w3`,
      w3,
      `shape [${h}, ${d}] like w1`,
      `shape ${shapeOf(w3)}`,
    );
  if (w2.rows !== d || w2.cols !== h)
    throw new ArgumentError(`${where}.w2`, w2, `shape [${d}, ${h}]`, `shape ${shapeOf(w2)}`);
}

/** Throws unless `experts` is an array of SwiGLU FFNs on width d. */
function assertExpertList(argument: string, experts: unknown, d: number): void {
  assertArray(argument, experts);
  experts.forEach((e, i) => assertExpert(`${argument}[${i}]`, e, d));
}

/** Throws unless `layer` holds shared and routed SwiGLU experts on width d. */
function assertMoeLayer(layer: unknown, d: number): asserts layer is MoeLayer {
  assertObject('layer', layer, 'an MoE layer { shared, routed }');
  assertExpertList('layer.shared', (layer as Partial<MoeLayer>).shared, d);
  assertExpertList('layer.routed', (layer as Partial<MoeLayer>).routed, d);
}

/**
 * The MoE layer's forward for a given routing: y = sum_s FFN_s(x) + sum_chosen g FFN_e(x), x [T, d].
 * Each routed expert runs once, on the tokens routed to it. Counts the experts' multiply-adds.
 */
export function moeForward(
  layer: MoeLayer,
  x: Matrix,
  routing: Routing,
  counter?: Counter,
): Matrix {
  assertMatrix('x', x);
  assertMoeLayer(layer, x.cols);
  const { tokens, numExperts } = assertRouting(routing);
  if (tokens !== x.rows)
    throw new ArgumentError('routing', routing, `${x.rows} tokens, one per row of x`);
  if (numExperts !== layer.routed.length) {
    throw new ArgumentError(
      'routing',
      routing,
      `scores over the layer's ${layer.routed.length} routed experts (it has ${numExperts})`,
    );
  }
  assertOptionalCounter('counter', counter);
  const d = x.cols;
  const y = matrix(tokens, d);
  // shared experts: every token, weight 1
  for (const expert of layer.shared) {
    const out = gatedFfn(x, expert, silu, counter);
    for (let i = 0; i < y.data.length; i++) y.data[i] = y.data[i]! + out.data[i]!;
  }
  // routed expert e: gather its tokens, run it once, scatter g * FFN_e(x_t) back
  for (let e = 0; e < numExperts; e++) {
    const rows: number[] = [];
    const gains: number[] = [];
    routing.experts.forEach((chosen, t) => {
      const j = chosen.indexOf(e);
      if (j >= 0) {
        rows.push(t);
        gains.push(routing.weights[t]![j] as number);
      }
    });
    if (rows.length === 0) continue;
    const xe = matrix(rows.length, d);
    rows.forEach((t, r) => rowOf(xe, r).set(rowOf(x, t)));
    const out = gatedFfn(xe, layer.routed[e]!, silu, counter);
    rows.forEach((t, r) => {
      const yt = rowOf(y, t);
      const o = rowOf(out, r);
      for (let c = 0; c < d; c++) yt[c] = yt[c]! + gains[r]! * o[c]!;
    });
  }
  return y;
}

/** DeepSeek's MoE layer: V3's gate chooses and weighs, then `moeForward`. Counts expert madds. */
export function deepseekMoeForward(
  layer: DeepseekMoeLayer,
  x: Matrix,
  config: DeepseekV3Config,
  counter?: Counter,
): { output: Matrix; routing: Routing } {
  assertObject('layer', layer, 'a DeepSeek MoE layer { gate, bias, shared, routed }');
  const routing = deepseekV3Gate(x, layer.gate, layer.bias, config);
  return { output: moeForward(layer, x, routing, counter), routing };
}

/** Sizes for `initMoeLayer`. */
export interface MoeLayerSizes {
  d: number;
  /** Hidden width of each expert. */
  hidden: number;
  shared: number;
  routed: number;
}

/** A random DeepSeek MoE layer: N(0, 1/d) experts and centroids, zero bias. */
export function initMoeLayer(sizes: MoeLayerSizes, rng: Rng): DeepseekMoeLayer {
  assertObject('sizes', sizes, 'sizes { d, hidden, shared, routed }');
  const { d, hidden, shared, routed } = sizes;
  assertInteger('sizes.d', d, { min: 1, max: 4096 });
  assertInteger('sizes.hidden', hidden, { min: 1, max: 16384 });
  assertInteger('sizes.shared', shared, { min: 0, max: 64 });
  assertInteger('sizes.routed', routed, { min: 1, max: 1024 });
  if ((shared + routed) * 3 * d * hidden > 2 ** 24)
    throw new ArgumentError('sizes', sizes, 'at most 2^24 expert parameters');
  assertRng('rng', rng);
  const std = 1 / Math.sqrt(d);
  return {
    shared: Array.from({ length: shared }, () => initGatedFfn(d, hidden, rng)),
    routed: Array.from({ length: routed }, () => initGatedFfn(d, hidden, rng)),
    gate: matrix(
      routed,
      d,
      Array.from({ length: routed * d }, () => rng.normal(0, std)),
    ),
    bias: new Float64Array(routed),
  };
}

/**
 * One expert's hidden units split into m experts of h / m units: rows of w1 and w3, columns of w2.
 * The pieces' outputs sum to the expert's output exactly (each hidden unit is used once).
 */
export function splitExpert(expert: GatedFfnWeights, m: number): GatedFfnWeights[] {
  assertObject('expert', expert, 'SwiGLU weights { w1, w3, w2 }');
  assertMatrix('expert.w1', expert.w1);
  const d = expert.w1.cols;
  assertExpert('expert', expert, d);
  const h = expert.w1.rows;
  assertInteger('m', m, { min: 1, max: h });
  if (h % m !== 0) throw new ArgumentError('m', m, `a divisor of the hidden width ${h}`);
  const piece = h / m;
  return Array.from({ length: m }, (_, j) => {
    const rows = (w: Matrix) =>
      matrix(piece, d, w.data.subarray(j * piece * d, (j + 1) * piece * d));
    const w2 = matrix(d, piece);
    for (let r = 0; r < d; r++)
      rowOf(w2, r).set(rowOf(expert.w2, r).subarray(j * piece, (j + 1) * piece));
    return { w1: rows(expert.w1), w3: rows(expert.w3), w2 };
  });
}

/**
 * The fine-grained layer: every routed expert split into m, its centroid and bias copied to its m
 * pieces (pieces of expert e are experts e m .. e m + m - 1). Shared experts are kept as they are.
 */
export function fineGrainedLayer(layer: DeepseekMoeLayer, m: number): DeepseekMoeLayer {
  assertObject('layer', layer, 'a DeepSeek MoE layer { gate, bias, shared, routed }');
  assertMatrix('layer.gate', layer.gate);
  assertMoeLayer(layer, layer.gate.cols);
  assertInteger('m', m, { min: 1, max: 1024 });
  const n = layer.routed.length;
  if (layer.gate.rows !== n)
    throw new ArgumentError('layer.gate', layer.gate, `${n} rows, one per routed expert`);
  assertBias(layer.bias, n);
  const d = layer.gate.cols;
  const gate = matrix(n * m, d);
  for (let e = 0; e < n; e++)
    for (let j = 0; j < m; j++) rowOf(gate, e * m + j).set(rowOf(layer.gate, e));
  return {
    shared: layer.shared,
    routed: layer.routed.flatMap((expert, e) => {
      if (expert.w1.rows % m !== 0) {
        throw new ArgumentError(
          'm',
          m,
          `a divisor of layer.routed[${e}]'s width ${expert.w1.rows}`,
        );
      }
      return splitExpert(expert, m);
    }),
    gate,
    bias: Float64Array.from({ length: n * m }, (_, i) => layer.bias[Math.floor(i / m)] as number),
  };
}

/** C(n, k): the number of ways to choose k experts of n, exactly (throws past 2^53). */
export function expertCombinations(n: number, k: number): number {
  assertInteger('n', n, { min: 0, max: 2 ** 20 });
  assertInteger('k', k, { min: 0, max: n });
  let c = 1n;
  // C(n, j) = C(n, j - 1) (n - j + 1) / j, exact in integers at every step
  for (let j = 1; j <= Math.min(k, n - k); j++) {
    c = (c * BigInt(n - j + 1)) / BigInt(j);
    if (c > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ArgumentError('n', n, `C(n, k) <= 2^53 - 1 (k = ${k})`);
  }
  return Number(c);
}
