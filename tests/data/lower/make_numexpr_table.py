"""Writes tests/data/lower/numexpr_dtype_table.txt: numexpr 2.14's result dtype for each
expression of dtype_table.txt (and a few more) that numexpr evaluates. Run with a Python
that has the real numexpr (for example target/venv/bin/python after scripts/test.sh)."""
import pathlib
import warnings

import numexpr as ne
import numpy as np

here = pathlib.Path(__file__).parent
inputs = dict(a='int8', b='uint8', s='int16', w='int32', i='int64', u='uint64', f='float32',
              d='float64', t='bool')
env = {k: np.ones(3, v) for k, v in inputs.items()}
exprs = [line.split(';')[0].strip() for line in (here / 'dtype_table.txt').read_text().splitlines()
         if line and not line.startswith('#')]
exprs += ['w * f', 'i * f', 'u + w', 'abs(w)', 'abs(t)', 'sin(t)', 'round(f)', 'sign(w)',
          'maximum(w, w)', 'sum(w)', 'prod(a)', 'sum(f)', 'f * 2.5', 'w * 3000000000',
          'w ** 2.0', 'f ** 2', 'w ** 0.5', 'w ** -1.0', 'f ** -1.0', 'w + (2*3)',
          'where(t, w, 2.5)', 'w < f', 'real(f)', 'hypot(f, f)', 'arctan2(f, f)', 'a // 2',
          'b % 3', 'u', 'ceil(w)', 'floor(t)', 'complex(f, f)', 'conj(f)']
rows = []
for ex in exprs:
    with warnings.catch_warnings(), np.errstate(all='ignore'):
        warnings.simplefilter('ignore')
        try:
            rows.append(f'{ex} ; {ne.evaluate(ex, local_dict=env).dtype.name}')
        except Exception:  # numexpr refuses: jitex may do more, nothing to compare
            pass
head = ('# expression ; numexpr 2.14.2\'s result dtype (inputs: ' +
        ' '.join(f'{k}={v}' for k, v in inputs.items()) + ')\n'
        '# written by make_numexpr_table.py from the real numexpr; jitex with Typing::Numexpr\n')
(here / 'numexpr_dtype_table.txt').write_text(head + '\n'.join(dict.fromkeys(rows)) + '\n')
print(len(rows), 'rows')
