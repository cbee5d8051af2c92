"""Every notebook in notebooks/ runs top to bottom without an error (executed with nbclient, as a reader
would run it from the notebooks folder), within a time limit."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
#: Seconds a single cell may take; the notebooks use few replications and days so that each runs in well
#: under a minute on one core.
CELL_TIMEOUT = 300


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"compare_setups.ipynb", "business_case.ipynb", "hnw_sweep.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if a cell fails
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
