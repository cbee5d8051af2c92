"""The HTML building blocks of the report: its inline styles, escaping, tables of escaped cells and figures
embedded as base64 PNG (the page needs no network).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from sim.presentation import figures as F
from sim.presentation.report.choose import NamedFigure


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes, in the figures' style."""
    buf = io.BytesIO()
    with matplotlib.rc_context(F.STYLE):
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;
background:#fafafa;line-height:1.45}
main{max-width:1150px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:1.6em;margin-bottom:0.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:4px;margin-top:2em}
.lead{color:#555;margin-top:0}
table{border-collapse:collapse;margin:12px 0;font-size:0.9em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f4f8}td:first-child,th:first-child{text-align:left}
table{max-width:100%}.tw{overflow-x:auto;max-width:100%}.nb{white-space:nowrap}table.defs th{text-align:left}
td.text,td:first-child{text-align:left;white-space:normal}
tr.differs td{background:#fff7e0}
.note{color:#666;font-size:0.88em}.warn{color:#D55E00}
figure{margin:24px 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:0.9em;max-width:900px}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px;font-size:0.9em}
.cited{color:#0072B2}.assumed{color:#8a5a00}
.first{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}.first figure{margin:4px 0}
.first figure h3{display:none}.wfcol{flex:0 1 662px;max-width:100%}.wfcol figcaption{font-size:0.8em}
.side{flex:1 1 300px;font-size:0.9em;min-width:0}.side h3{margin:0.3em 0}
.side ul{padding-left:1.1em;margin:0.2em 0 0.6em}h2.answer{margin-top:0.6em}
.loss{color:#B03A00}.gain{color:#007A5A}ul.headline{font-size:1.08em;padding-left:1.2em}
ul.headline li{margin-bottom:0.4em}ul.headline code{word-break:break-all}ul.headline li.note{font-size:0.85em}
table.gl{font-size:0.82em}table.gl td{white-space:nowrap}table.roster th{text-align:left}
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def nowrap(text: str) -> str:
    """``mean [low, high]`` as two unbreakable pieces: a narrow window wraps the interval under the mean
    instead of widening the table past the page."""
    mean, sep, interval = text.partition(" [")
    if not sep:
        return f'<span class="nb">{esc(text)}</span>'
    return f'<span class="nb">{esc(mean)}</span> <span class="nb">[{esc(interval)}</span>'



def html_table(header: Sequence[str] | None, rows: Iterable[Sequence[str]], cls: Sequence[str] | None = None,
           text_cols: Sequence[int] = (), numbers: bool = False) -> str:
    """An HTML table of already escaped cells; ``text_cols`` are aligned left (numbers align right)."""
    head = ""
    if header is not None:
        head = "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead>"
    body = []
    for i, row in enumerate(rows):
        klass = f' class="{cls[i]}"' if cls and cls[i] else ""
        tds = "".join(f'<td class="text">{c}</td>' if j in text_cols else f"<td>{c}</td>"
                      for j, c in enumerate(row))
        body.append(f"<tr{klass}>{tds}</tr>")
    klass = ' class="kpi"' if numbers else ""  # tables of numbers with intervals: never wrapped
    # wide tables scroll inside their box, never the page
    return f'<div class="tw"><table{klass}>{head}<tbody>{"".join(body)}</tbody></table></div>'


def figure_html(nf: NamedFigure) -> str:
    data = base64.b64encode(figure_png(nf.figure)).decode("ascii")
    return (f'<figure id="fig-{esc(nf.name)}"><h3>{esc(nf.title)}</h3>'
            f'<img alt="{esc(nf.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(nf.caption)}</figcaption></figure>")
