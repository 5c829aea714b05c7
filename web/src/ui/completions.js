// What the editor offers to complete: the six primitives, the sugar library
// and the build-time helpers, each with its signature and a one-line meaning
// (docs/language.md documents the same names and keywords).

const primitive = 'primitive';
const sugar = 'sugar';
const helper = 'build-time';

export const LSRL_COMPLETIONS = [
  ['Input', '(dim)', primitive, 'the current token; exactly one per program'],
  ['Linear', '(input, A, b)', primitive, 'A x + b'],
  ['ReLU', '(x)', primitive, 'element-wise max(0, x)'],
  ['LinState', '(input, A, B, init_state, bias=None)', primitive,
    's_t = A s_{t-1} + B x_t + bias; the output is s_t (the only memory across steps)'],
  ['Concat', '([x, y, ...])', primitive, 'stack vectors'],
  ['Multi', '(x)', primitive, 'x[:n/2] * x[n/2:] (multiplicative gating; even width)'],
  ['Multiplicative', '(x)', primitive, 'alias of Multi'],
  ['f_constant', '(x, value)', sugar, 'a constant vector (Linear with A = 0)'],
  ['f_step', '(x, mu=1000)', sugar, '0 for x <= 0, 1 for x >= 1/mu'],
  ['f_bump', '(x, lb, ub, mu=1000)', sugar, '1 on [lb, ub], 0 outside'],
  ['f_not', '(x)', sugar, '1 - x'],
  ['f_and', '(x, y, mu=1000)', sugar, 'logical and of two 0/1 values'],
  ['f_or', '(x, y, mu=1000)', sugar, 'logical or of two 0/1 values'],
  ['f_larger', '(x, y, mu=1000)', sugar, '1 when x > y'],
  ['f_smaller', '(x, y, mu=1000)', sugar, '1 when x < y'],
  ['f_eq', '(x, y, mu=1000)', sugar, '1 when x == y'],
  ['f_neq', '(x, y, mu=1000)', sugar, '1 when x != y'],
  ['f_ifeq', '(x, y, t, f)', sugar, 't when x == y, else f'],
  ['f_ifelse', '(cond, t, f, large_constant=1e10)', sugar, 'conditional, original form (Eq. 7)'],
  ['f_ifelse_opt', '(cond, t, f, large_constant=1e10)', sugar, 'conditional, optimized form'],
  ['f_ifelse_step', '(cond, t, f, large_constant=1e10, mu=1000)', sugar, 'conditional, step-based form (Eq. 9)'],
  ['f_ifelse_mul', '(cond, t, f)', sugar, 'conditional, multiplicative form (Eq. 10); t or f may be None'],
  ['f_modulo_counter', '(x, n)', sugar, 't mod n, from a rotating 2-D state'],
  ['f_relu_identity', '(x)', sugar, 'identity through a ReLU layer'],
  ['nonneg', '(x)', sugar, 'assert x is never negative (lets f_ifelse_opt drop terms)'],
  ['param', '(default, min=None, max=None, choices=None, doc="")', helper, 'a build-time parameter shown as a control'],
  ['vocab', '("?ABC...")', helper, 'token id i is the i-th character (text prompts, decoded outputs)'],
  ['eye', '(n)', helper, 'identity matrix'],
  ['zeros', '(rows, cols=1)', helper, 'zero matrix'],
  ['ones', '(rows, cols=1)', helper, 'matrix of ones'],
  ['diag', '(values)', helper, 'diagonal matrix'],
  ['hstack', '(M, N, ...)', helper, 'matrices side by side'],
  ['vstack', '(M, N, ...)', helper, 'matrices stacked'],
  ['Matrix', '(rows)', helper, 'a matrix from nested lists'],
  ['len', '(x)', helper, 'length of a list'],
  ['range', '(start, stop=None, step=1)', helper, 'integers'],
  ['sum', '(xs)', helper, ''],
  ['min', '(a, b, ...)', helper, ''],
  ['max', '(a, b, ...)', helper, ''],
  ['abs', '(x)', helper, ''],
  ['round', '(x)', helper, ''],
  ['floor', '(x)', helper, ''],
  ['ceil', '(x)', helper, ''],
  ['sqrt', '(x)', helper, ''],
  ['exp', '(x)', helper, ''],
  ['cos', '(x)', helper, ''],
  ['sin', '(x)', helper, ''],
].map(([label, signature, kind, doc]) => ({ label, signature, kind, doc }));

export const LSRL_CONSTANTS = [{ label: 'pi', doc: '3.14159...' }];
export const LSRL_KEYWORDS = ['ForEach', 'return', 'for', 'in', 'if', 'elif', 'else', 'def', 'pass', 'and', 'or', 'not', 'None', 'True', 'False'];
