"""Writes the string .npy fixtures of src/npy/tests.rs with NumPy's own np.save.

Run: /work/venv/bin/python tests/data/npy/generate_strings.py
"""
import pathlib

import numpy as np

here = pathlib.Path(__file__).parent
np.save(here / "S5_names.npy", np.array([b"alice", b"bob", b"\xffx\x00y", b""], dtype="S5"))
np.save(here / "U3_le.npy", np.array(["ab", "\xe9", "\U0001F600zz", ""], dtype="<U3"))
np.save(here / "U2_be_fortran_2x2.npy",
        np.asfortranarray(np.array([["a", "bc"], ["\u0100", ""]], dtype=">U2")))
