/**
 * @internal Unchecked kernels of MoE routing, called by the checked entries of this folder after
 * they have validated their arguments: top-k selection, a stable log-sigmoid, load counting.
 */

/** Indices of the k largest `values`, largest first; ties go to the lower index (as tf.topk). */
export function topKOf(values: ArrayLike<number>, k: number): number[] {
  // insertion into a sorted list of at most k: O(N k), and no sort of all N indices
  const top: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (top.length === k && !(v > (values[top[k - 1] as number] as number))) continue;
    // after every kept value >= v: an equal value keeps its lower index first
    let at = top.length;
    while (at > 0 && (values[top[at - 1] as number] as number) < v) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}

/** log sigmoid(z) = -log(1 + e^-z), without overflow for large |z|. */
export function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

/** How many (token, slot) assignments each of `numExperts` experts received. */
export function countLoad(experts: readonly (readonly number[])[], numExperts: number): number[] {
  const load = new Array<number>(numExperts).fill(0);
  for (const row of experts) for (const e of row) load[e] = (load[e] as number) + 1;
  return load;
}
