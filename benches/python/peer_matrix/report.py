"""The matrix's output: Markdown tables, the summary of jitex's losses, the plot, the JSON."""
import json
import math

from .libs import COLD, COLUMNS, RATIOS, SCALAR_NO_OUT


def ns_per_el(seconds, e):
    return seconds * 1e9 / 10**e


def _fmt_ns(x):
    return f"{x:.3f}" if x < 100 else f"{x:.1f}"


def _fmt_ratio(r):
    # Bold where jitex is slower than that peer.
    return f"**{r:.2f}**" if r < 1.0 else f"{r:.2f}"


def ratios(cell):
    """{(peer, jitex column): peer time / jitex time} for the pairs both timed."""
    t = cell["seconds"]
    return {(p, j): t[p] / t[j] for p, j in RATIOS if p in t and j in t}


def present_columns(cells):
    """The columns timed in at least one cell, in COLUMNS order."""
    seen = {c for cell in cells for c in cell["seconds"]}
    return [c for c in COLUMNS if c in seen]


def present_ratios(cells):
    seen = {k for cell in cells for k in ratios(cell)}
    return [k for k in RATIOS if k in seen]


def _check_text(cell):
    bad = [c for c, v in cell["check"].items() if v == "MISMATCH"]
    dtypes = [f"{c}: {v}" for c, v in cell["check"].items() if v.startswith("dtype")]
    text = "MISMATCH: " + ", ".join(bad) if bad else "ok"
    return text + (" (" + "; ".join(dtypes) + ")" if dtypes else "")


def table(cells):
    """One Markdown line per row x N: ns per element of every column, the ratios, the check."""
    cols, pairs = present_columns(cells), present_ratios(cells)
    head = ["expression", "N"] + cols + [f"{p} / {j}" for p, j in pairs] + ["check"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "--:|" * (len(cols) + len(pairs)) + "---|"]
    for cell in cells:
        e, t, r = cell["e"], cell["seconds"], ratios(cell)
        vals = [_fmt_ns(ns_per_el(t[c], e)) if c in t else "-" for c in cols]
        vals += [_fmt_ratio(r[k]) if k in r else "-" for k in pairs]
        lines.append(f"| `{cell['expr']}` | 1e{e} | " + " | ".join(vals) + f" | {_check_text(cell)} |")
    return lines


def cold_table(cold, exprs):
    """Cold compiles: ms of the first call of an expression never compiled before."""
    libs = [lib for lib in COLD if any(lib in cold.get(x, {}) for x in exprs)]
    lines = ["| expression | " + " | ".join(libs) + " |", "|---|" + "--:|" * len(libs)]
    for x in exprs:
        got = cold.get(x, {})
        vals = [f"{got[lib] * 1e3:.2f}" if got.get(lib) is not None else "-" for lib in libs]
        lines.append(f"| `{x}` | " + " | ".join(vals) + " |")
    return lines


def losses(cells):
    """Lines naming, per row, each peer that beat jitex and at which N (ratio < 1)."""
    by_row = {}
    for cell in cells:
        for (p, j), r in ratios(cell).items():
            if r < 1.0:
                by_row.setdefault(cell["expr"], {}).setdefault(f"{p} / {j}", []).append(f"{r:.2f} at 1e{cell['e']}")
    total = sum(len(ratios(c)) for c in cells)
    lost = sum(len(v) for pairs in by_row.values() for v in pairs.values())
    if not by_row:
        return [f"jitex is ahead in all {total} ratio cells."]
    lines = [f"jitex is behind (ratio < 1) in {lost} of {total} ratio cells, on {len(by_row)} rows:", ""]
    for expr, pairs in by_row.items():
        lines.append(f"* `{expr}`: " + "; ".join(f"{k} {', '.join(v)}" for k, v in pairs.items()))
    return lines


def skipped_lines(skipped):
    """Lines naming each row's columns that have no form there, and why (leaving out the
    `out` columns of scalar results)."""
    lines = []
    for expr, cols in skipped.items():
        named = {c: why for c, why in cols.items() if why != SCALAR_NO_OUT}
        if named:
            lines.append(f"* `{expr}`: " + "; ".join(f"{c}: {why}" for c, why in named.items()))
    return lines


def plot(path, cells, exprs, title):
    """One log-log subplot of ns per element against N per row (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {
        "NumPy": dict(color="C0", marker="o"),
        "numexpr": dict(color="C1", marker="s"),
        "numexpr out": dict(color="C1", marker="s", linestyle="--", alpha=0.6),
        "Numba": dict(color="C3", marker="D"),
        "Numba out": dict(color="C3", marker="D", linestyle="--", alpha=0.6),
        "JAX": dict(color="C4", marker="P"),
        "jitex": dict(color="C2", marker="^", linewidth=2),
        "jitex out": dict(color="C2", marker="v", linestyle="--", alpha=0.6),
    }
    cols = present_columns(cells)
    ncols = 5
    nrows = math.ceil((len(exprs) + 1) / ncols)  # one spare panel for the legend
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, 2.9 * nrows), squeeze=False)
    axes = axes.flat
    for i, expr in enumerate(exprs):
        ax = axes[i]
        mine = [c for c in cells if c["expr"] == expr]
        for col in cols:
            pts = [(10 ** c["e"], ns_per_el(c["seconds"][col], c["e"])) for c in mine if col in c["seconds"]]
            if pts:
                ax.loglog(*zip(*pts), label=col, markersize=3.5, **styles[col])
        ax.set_title(expr, fontsize=9, family="monospace")
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=7)
        if i % ncols == 0:
            ax.set_ylabel("ns / element", fontsize=8)
    for ax in axes[len(exprs):]:
        ax.axis("off")
    handles = {}
    for ax in axes[: len(exprs)]:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    axes[len(exprs)].legend([handles[c] for c in cols if c in handles], [c for c in cols if c in handles],
                            loc="center", fontsize=10)
    fig.suptitle(title, fontsize=10)
    # Room at the top for the title's lines.
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.17 * (title.count("\n") + 1) / fig.get_figheight()))
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_json(path, result):
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
