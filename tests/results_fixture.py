"""Results files as the chapters on the settings matrix save them, from tiny studies.

:func:`write_results` writes, into a folder, one results file per chapter in the format the
conclusions page reads: ``data["claims"]`` holds :meth:`qbp.claims.ClaimResult.to_dict` of
each claim the chapter decides (computed by :mod:`qbp.matrix` on one or two qubits and a few
layers), ``data["findings"]`` a few sentences, and chapter 06 its plateau scans as it saves
them. The studies run once per process (a few seconds).
"""

from __future__ import annotations

import functools
from pathlib import Path

from qbp import matrix
from qbp.results import save_results

#: The settings of the tiny matrix: 4 layer counts, so a perfectly monotone trend can support.
TINY = {"n_qubits": (2,), "costs": ("tfim", "infidelity"), "max_layers": 4}


@functools.lru_cache(maxsize=None)
def studies() -> dict:
    """{claim: ClaimResult} of C1–C7 and chapter 06's record, computed once."""
    from qbp.plateaus import compare_rates, plateau_scan

    common = dict(TINY, progress=False)
    minimum = matrix.minimum_study(**common, c_star_resolution=16, n_baseline_starts=4)
    land = matrix.landscape_study(**common, resolution=16, resolutions=(8, 16))
    flow = matrix.flow_study(**common, seeds=(0,), n_starts=6, flow_resolutions=(4, 8),
                             c_star_resolution=16)
    success = matrix.success_study(**{**common, "costs": ("tfim",)}, seeds=(0,), n_starts=4,
                                   steps=8, lrs=[0.01, 0.1, 1.0], optimizers=("adam",),
                                   c_star_resolution=16, n_boot=20)
    results = {**minimum.judge_all(), **land.judge_all(), **flow.judge_all(),
               **success.judge_all()}
    scan = dict(n_draws=20, n_boot=20, progress=False)
    scans = {s: plateau_scan(range(2, 5), s, "n", **scan) for s in ("none", "type")}
    shallow = plateau_scan(range(2, 5), "none", 1, circuit="alternating", **scan)
    record = {"scans": [s.summary() for s in (*scans.values(), shallow)],
              "sharing_vs_none": {f"type, L = n, {c}": compare_rates(
                  scans["type"].fits[c]["exponential"],
                  scans["none"].fits[c]["exponential"]).to_dict() for c in ("global", "local")}}
    return {"claims": results, "plateaus": record, "scans": scans, "shallow": shallow}


def write_results(folder, skip=()) -> dict[str, Path]:
    """Write the chapters' results files into ``folder``/ (except the stems in ``skip``);
    returns {stem: path}."""
    s = studies()
    c = {k: v.to_dict() for k, v in s["claims"].items()}
    chapters = {
        "01_circuit_landscape": {"claims": {"C1": c["C1"]},
                                 "findings": ["The three engines agree to 10⁻¹⁰."]},
        "02_resolution": {"claims": {"C7": c["C7"]}},
        "03_deceptiveness": {"claims": {"C2": c["C2"], "C3": c["C3"], "C4": c["C4"]}},
        "04_trajectories": {"claims": {}, "findings": [
            "Adam ends in the basin the flow predicts for 0.93 of the starts.",
            "SGD with a small step follows the flow."]},
        "05_success_rates": {"claims": {"C5": c["C5"], "C6": c["C6"]}},
        "06_barren_plateaus": s["plateaus"],
        "a1_more_qubits": {"claims": {"C4_beyond_default": c["C4"]}},
    }
    folder = Path(folder)
    return {stem: save_results(folder / f"{stem}.json", data, {"profile_test": stem})
            for stem, data in chapters.items() if stem not in skip}
