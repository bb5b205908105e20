/**
 * LaTeX math as readable plain text, for the terminal: formulas are written once, in LaTeX markup
 * inside `$...$` or `$$...$$` in a notebook's prose; the site typesets them with KaTeX and the
 * terminal shows them through `texToText`:
 *
 *   $\frac{k}{i + 1}$                    ->  k/(i + 1)
 *   $\mathrm{softmax}(QK^\top/\sqrt{d_k})$  ->  softmax(QKᵀ/√d_k)
 *   $\theta_i = 10000^{-2i/d}$           ->  θ_i = 10000^(-2i/d)
 *
 * Only the markup a notebook uses is covered; anything else is left as written, so nothing is lost.
 */

const SYMBOLS: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  varepsilon: 'ε',
  zeta: 'ζ',
  eta: 'η',
  theta: 'θ',
  iota: 'ι',
  kappa: 'κ',
  lambda: 'λ',
  mu: 'μ',
  nu: 'ν',
  xi: 'ξ',
  pi: 'π',
  rho: 'ρ',
  sigma: 'σ',
  tau: 'τ',
  phi: 'φ',
  varphi: 'φ',
  chi: 'χ',
  psi: 'ψ',
  omega: 'ω',
  Gamma: 'Γ',
  Delta: 'Δ',
  Theta: 'Θ',
  Lambda: 'Λ',
  Pi: 'Π',
  Sigma: 'Σ',
  Phi: 'Φ',
  Psi: 'Ψ',
  Omega: 'Ω',
  sum: 'Σ',
  prod: 'Π',
  int: '∫',
  infty: '∞',
  partial: '∂',
  nabla: '∇',
  le: '≤',
  leq: '≤',
  ge: '≥',
  geq: '≥',
  ne: '≠',
  neq: '≠',
  approx: '≈',
  sim: '~',
  propto: '∝',
  equiv: '≡',
  cdot: '·',
  times: '×',
  div: '÷',
  pm: '±',
  mp: '∓',
  in: '∈',
  notin: '∉',
  subset: '⊂',
  subseteq: '⊆',
  cup: '∪',
  cap: '∩',
  to: '→',
  rightarrow: '→',
  leftarrow: '←',
  Rightarrow: '⇒',
  mapsto: '↦',
  gets: '←',
  ldots: '…',
  cdots: '⋯',
  dots: '…',
  top: 'ᵀ',
  intercal: 'ᵀ',
  odot: '⊙',
  otimes: '⊗',
  oplus: '⊕',
  circ: '∘',
  forall: '∀',
  exists: '∃',
  neg: '¬',
  land: '∧',
  lor: '∨',
  emptyset: '∅',
  star: '*',
  ast: '*',
  mid: '|',
  vert: '|',
  lVert: '‖',
  rVert: '‖',
  Vert: '‖',
  langle: '⟨',
  rangle: '⟩',
  lfloor: '⌊',
  rfloor: '⌋',
  lceil: '⌈',
  rceil: '⌉',
  quad: '  ',
  qquad: '    ',
  ell: 'ℓ',
  hat: '',
  log: 'log',
  ln: 'ln',
  exp: 'exp',
  max: 'max',
  min: 'min',
  arg: 'arg',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  lim: 'lim',
  sup: 'sup',
  inf: 'inf',
  det: 'det',
  Pr: 'Pr',
};

/** Commands whose one argument is shown as it is: \mathrm{softmax} -> softmax. */
const PLAIN = new Set([
  'mathrm',
  'text',
  'textrm',
  'textbf',
  'mathbf',
  'mathit',
  'mathsf',
  'mathtt',
  'operatorname',
  'boldsymbol',
  'mathcal',
  'mathbb',
  'bm',
  'underbrace',
  'overbrace',
]);

/** The index just past the group that starts at `i` ({...} or one character), and its text. */
function group(s: string, i: number): [string, number] {
  while (s[i] === ' ') i++;
  if (s[i] !== '{') {
    if (s[i] === '\\') {
      const m = /^\\([a-zA-Z]+|.)/.exec(s.slice(i));
      const token = m ? m[0] : '\\';
      return [token, i + token.length];
    }
    return [s[i] ?? '', i + 1];
  }
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return [s.slice(i + 1, j), j + 1];
  }
  return [s.slice(i + 1), s.length];
}

/** Wraps in parentheses unless the text is a single symbol, number or name. */
function atom(text: string): string {
  return /^[\p{L}\p{N}.'ᵀ]+$/u.test(text) || /^\(.*\)$/.test(text) ? text : `(${text})`;
}

/** One LaTeX formula (the inside of $...$) as plain text. */
export function texToText(tex: string): string {
  let out = '';
  for (let i = 0; i < tex.length;) {
    const c = tex[i] as string;
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+|.)/.exec(tex.slice(i));
      const name = m ? (m[1] as string) : '';
      i += name.length + 1;
      if (name === 'frac' || name === 'dfrac' || name === 'tfrac') {
        const [a, j] = group(tex, i);
        const [b, k] = group(tex, j);
        out += `${atom(texToText(a))}/${atom(texToText(b))}`;
        i = k;
      } else if (name === 'sqrt') {
        const [a, j] = group(tex, i);
        out += `√${atom(texToText(a))}`;
        i = j;
      } else if (PLAIN.has(name)) {
        const [a, j] = group(tex, i);
        out += texToText(a);
        i = j;
      } else if (
        name === 'left' ||
        name === 'right' ||
        name === 'big' ||
        name === 'Big' ||
        name === 'bigg' ||
        name === 'displaystyle'
      ) {
        // sizing only
      } else if (name === ',' || name === ';' || name === ':' || name === ' ' || name === '!') {
        out += name === '!' ? '' : ' ';
      } else if (
        name === '{' ||
        name === '}' ||
        name === '_' ||
        name === '%' ||
        name === '$' ||
        name === '#' ||
        name === '&'
      ) {
        out += name;
      } else if (name === '\\') {
        out += '; ';
      } else if (name in SYMBOLS) {
        out += SYMBOLS[name];
      } else {
        out += `\\${name}`;
      }
    } else if (c === '^' || c === '_') {
      const [a, j] = group(tex, i + 1);
      const text = texToText(a);
      out +=
        c === '^' && (text === 'ᵀ' || (text === 'T' && a === '\\top')) ? 'ᵀ' : `${c}${atom(text)}`;
      i = j;
    } else if (c === '{' || c === '}') {
      i++;
    } else if (c === '~') {
      out += ' ';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function formulasToText(text: string): string {
  return text
    .replace(/\$\$([\s\S]+?)\$\$/g, (_, tex: string) => texToText(tex.trim()))
    .replace(
      /(^|[^\\$])\$([^$\n]+?)\$/g,
      (_, before: string, tex: string) => `${before}${texToText(tex)}`,
    )
    .replace(/\\\$/g, '$');
}

/**
 * Prose with its $...$ and $$...$$ formulas replaced by plain text; `\$` stays a dollar sign, and
 * code (fenced blocks and `inline spans`) is left alone.
 */
export function proseToText(markdown: string): string {
  return markdown
    .split(/(```[\s\S]*?```|`[^`\n]*`)/g)
    .map((part, i) => (i % 2 === 1 ? part : formulasToText(part)))
    .join('');
}
