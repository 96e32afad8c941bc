"""Checks tests/data/lower/dtype_table.txt against NumPy 2 (run with /work/venv/bin/python)."""
import pathlib, numpy as np
env = {k: np.ones(3, v) for k, v in dict(a='int8', b='uint8', s='int16', w='int32', i='int64',
       u='uint64', f='float32', d='float64', t='bool').items()}
for n in ['sin','sqrt','ceil','floor','round','isnan','signbit','sign','maximum','minimum','fmod',
          'arctan2','hypot','copysign','where','float32','float64','int8','bool','copy',
          'ones_like']:
    env[n] = getattr(np, n if n != 'bool' else 'bool_')
env['abs'] = np.abs
bad = 0
for line in (pathlib.Path(__file__).parent / 'dtype_table.txt').read_text().splitlines():
    if not line or line.startswith('#'):
        continue
    expr, want = (x.strip() for x in line.split(';'))
    r = eval(expr, {}, env)
    got = np.asarray(r).dtype.name
    got = 'float32' if got == 'float16' else got
    if got != want:
        bad += 1
        print(f'MISMATCH {expr}: numpy {got}, table {want}')
print('mismatches:', bad)
