"""Generates the .npy fixtures for jitex's src/npy tests (run with NumPy 2).

Each file is small and its contents follow a formula the Rust tests recompute:
values are `arange(n)` in the named dtype and shape, except where noted.
"""
import os

import numpy as np
from numpy.lib import format as npf

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, arr, version=None):
    with open(os.path.join(HERE, name), "wb") as f:
        npf.write_array(f, arr, version=version)


save("f8_c_2x3.npy", np.arange(6, dtype="<f8").reshape(2, 3))
save("i4_be_fortran_2x3x4.npy", np.asfortranarray(np.arange(24, dtype=">i4").reshape(2, 3, 4)))
save("f8_fortran_3x2.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(3, 2)))
save("u2_be_5.npy", np.arange(5, dtype=">u2"))
save("f4_v2_4.npy", np.arange(4, dtype="<f4"), version=(2, 0))
save("i8_v3_3.npy", np.arange(3, dtype="<i8"), version=(3, 0))
save("b1_4.npy", np.array([True, False, False, True]))
save("u1_0d.npy", np.array(7, dtype="u1"))
save("i2_empty_0x3.npy", np.zeros((0, 3), dtype="<i2"))
# Complex: values as noted in the Rust tests (parts byte-swapped separately when big-endian).
save("c16_2.npy", np.array([1 + 2j, -3.5 - 0j], dtype="<c16"))
save("c8_be_fortran_2x2.npy", np.asfortranarray(
    np.array([[1 + 2j, np.inf - 1j], [complex(-0.0, 0.5), 3 - 4j]], dtype=">c8")))
# Unsupported dtypes, which must be refused cleanly.
save("f2_2.npy", np.arange(2, dtype="f2"))
save("structured_2.npy", np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")]))
# np.save's own bytes, to check jitex's writer byte for byte.
np.save(os.path.join(HERE, "np_save_f8_2x3.npy"), np.arange(6, dtype="<f8").reshape(2, 3))
np.save(os.path.join(HERE, "np_save_b1_3.npy"), np.array([True, False, True]))
np.save(os.path.join(HERE, "np_save_c8_3.npy"), np.array([1 + 2j, -0.5j, 3], dtype="<c8"))
