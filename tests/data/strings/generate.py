"""Generates tests/data/strings/cases.txt: NumPy 2's answers for string comparisons and
`contains` on S (bytes) and U (str) arrays, for tests/strings.rs.

Run: /work/venv/bin/python tests/data/strings/generate.py

Each line: `kind op wa wb a b result`, kind `S` or `U`, op one of lt le eq ne ge gt
contains, `wa`/`wb` the dtype widths of the two arrays, `a`/`b` the stored values (S: hex
bytes; U: code points in hex joined by `.`; `-` for empty), result 0 or 1. Values shorter
than their width are NUL-padded in memory, as NumPy stores them.
"""
import itertools
import pathlib

import numpy as np

S_POOL = [b"", b"a", b"ab", b"abc", b"b", b"a\x00b", b"\x00a", b"\xff", b"\x80a", b"\x7f",
          b"abcd", b"ba", b"zz\x01", b"\x01"]
U_POOL = ["", "a", "ab", "abc", "b", "a\x00b", "\x00a", "\xe9", "\u00ff", "\u0100", "\uffff",
          "\U0001F600", "z\U0001F600", "a\xe9b", "abcd", "\u0101a"]
CONFIGS = [(4, 6), (3, 3), (5, 1)]
OPS = {"lt": np.less, "le": np.less_equal, "eq": np.equal, "ne": np.not_equal,
       "ge": np.greater_equal, "gt": np.greater}


def enc(kind, v):
    if kind == "S":
        return v.hex() or "-"
    return ".".join(f"{ord(c):x}" for c in v) or "-"


def main():
    out = []
    for kind, pool in (("S", S_POOL), ("U", U_POOL)):
        for wa, wb in CONFIGS:
            xs = [v for v in pool if len(v) <= wa]
            ys = [v for v in pool if len(v) <= wb]
            pairs = list(itertools.product(xs, ys))
            a = np.array([p[0] for p in pairs], dtype=f"{kind}{wa}")
            b = np.array([p[1] for p in pairs], dtype=f"{kind}{wb}")
            # NumPy strips trailing NULs on the way in: what is stored is what we record.
            results = {name: f(a, b) for name, f in OPS.items()}
            results["contains"] = np.strings.find(a, b) >= 0
            for name, r in results.items():
                for x, y, v in zip(a, b, r):
                    out.append(f"{kind} {name} {wa} {wb} {enc(kind, x)} {enc(kind, y)} {int(v)}")
    path = pathlib.Path(__file__).with_name("cases.txt")
    path.write_text("\n".join(out) + "\n")
    print(f"{len(out)} cases -> {path}")


if __name__ == "__main__":
    main()
