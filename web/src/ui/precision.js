// Precision problems found before a run: a param whose value the chosen
// number format cannot hold (f16's largest finite value is 65,504, f32's
// about 3.4e38) becomes Inf in the weights, and the run's numbers are then
// meaningless even where model and program agree bit for bit (both round the
// same way). Only the program's param(...) values are checked here; a literal
// constant written in the program is not.

import { formatParam } from './params.js';

export const FORMAT_MAX = {
  f16: 65504,
  f32: 3.4028234663852886e38,
};

// params: info.params ({name, kind, value}); precision: 'f16' | 'f32' | 'f64'.
// Returns [{name, value, format, max, message}].
export function precisionProblems(params, precision) {
  const max = FORMAT_MAX[precision];
  if (!max) return [];
  const problems = [];
  for (const p of params || []) {
    if (p.kind === 'choice') continue;
    const value = Number(p.value);
    if (!Number.isFinite(value) || Math.abs(value) <= max) continue;
    const alternative = precision === 'f16' ? 'f32 or f64' : 'f64';
    problems.push({
      name: p.name, value, format: precision, max,
      message: `${p.name} = ${formatParam(value)} is beyond ${precision}'s largest finite value ` +
        `(${max.toLocaleString('en-US', { maximumSignificantDigits: 5 })}): its weights become Inf and the outputs mean nothing. ` +
        `Run in ${alternative}, or set ${p.name} to at most ${max.toLocaleString('en-US', { maximumSignificantDigits: 5 })}` +
        `${p.min != null && p.min > max ? ` (its range starts at ${formatParam(p.min)}: use ${alternative})` : ''}.`,
    });
  }
  return problems;
}
