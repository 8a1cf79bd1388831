"""A case report (:mod:`graph.case_report`) as a standalone HTML page and as a PDF, both
made here, offline: the HTML holds its picture as inline SVG and loads nothing; the PDF is
drawn by fpdf2 with a font of the machine (DejaVu Sans, Debian's ``fonts-dejavu-core``).

Every text from the data is escaped in the HTML (Jinja's autoescape) and written as plain
text in the PDF. Headings follow the reader's language (:mod:`i18n`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader

from dashboard.graph_view import STYLE, layout
from dashboard.text import (
    age_note,
    contact_lines,
    contact_note,
    guardian_note,
    marker_name,
    pattern_name,
    person,
    relationship_name,
    stamp,
    timeline_role,
)
from graph.analysis import counter as counters
from graph.case_report import CaseReport
from graph.words import band_name
from i18n import _, current, number

TEMPLATES = Path(__file__).parent / "templates"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
WIDTH, HEIGHT = 560.0, 340.0  # the picture, in SVG units and PDF points
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)


def _picture(report: CaseReport) -> dict[str, Any]:
    """The structure around the person: nodes and lines placed in WIDTH x HEIGHT."""
    sub = report.structure
    if sub is None or not sub.nodes:
        return {"nodes": [], "edges": []}
    pos = layout(sub, polish_up_to=200)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def at(node_id: str) -> tuple[float, float]:
        x, y = pos[node_id]
        return (20 + (x - min(xs)) / span_x * (WIDTH - 40),
                20 + (y - min(ys)) / span_y * (HEIGHT - 40))

    nodes = []
    for node_id, node in sub.nodes.items():
        x, y = at(node_id)
        style = STYLE.get(node.kind, STYLE["other"])
        nodes.append({"x": round(x, 1), "y": round(y, 1), "colour": style["color"],
                      "r": 7 if node.ref == report.finding["person_ref"] else 4,
                      "label": node.caption[:24], "kind": node.kind})
    edges = [{"x1": round(at(e.source)[0], 1), "y1": round(at(e.source)[1], 1),
              "x2": round(at(e.target)[0], 1), "y2": round(at(e.target)[1], 1),
              "type": relationship_name(e.type)}
             for e in sub.edges if e.source in sub.nodes and e.target in sub.nodes]
    return {"nodes": nodes, "edges": edges}


def _content(report: CaseReport) -> dict[str, Any]:
    f = report.finding
    return {
        "title": _("Case report: {person}").format(
            person=person(f["person_ref"], report.codename)),
        "case": report.case, "purpose": report.purpose, "made_by": report.made_by,
        "made_at": stamp(report.made_at), "run": f.get("run_id") or "",
        "score": number(float(f.get("score") or 0), 2),
        "band": band_name(f.get("band")),
        "rank": f.get("rank"), "out_of_date": report.out_of_date,
        # findings of runs before age_recorded existed do not say: no note then
        "age_note": age_note() if f.get("age_recorded") is False else "",
        "guardian_note": guardian_note() if f.get("guardian_like") else "",
        "patterns": [{"name": pattern_name(i["name"]), "value": i["value"],
                      "count": len(i["evidence"])} for i in f["indicators"]],
        "counter": report.counter_evidence,
        "contacts": contact_lines(report.contact_of),
        "contact_note": contact_note() if report.contact_of else "",
        "minors": [{"who": person(m["ref"], m.get("codename")),
                    "signs": ", ".join(marker_name(k) for k in sorted(m.get("markers") or {}))
                    or "-",
                    "weight": number(float(m.get("weight") or 0), 2),
                    "lowered": counters.lowered_text(m)}
                   for m in report.minors],
        "evidence": [{"pattern": pattern_name(e.pattern), "sentence": e.sentence,
                      "sources": "; ".join(f"{s['partner']}, {s['delivery']}, "
                                           f"{s['extracted_at']}" for s in e.sources) or "-"}
                     for e in report.evidence],
        "timeline": [{"when": str(e["when"] or "")[:16], "what": e["what"],
                      "role": timeline_role(e["role"], e.get("until")),
                      "place": e["place"], "partners": e["partners"]}
                     for e in report.timeline],
        "picture": _picture(report), "width": WIDTH, "height": HEIGHT,
        "disclaimer": _(report.disclaimer),
    }


def to_html(report: CaseReport) -> str:
    """The report as one HTML page that loads nothing (its CSP forbids it)."""
    return _ENV.get_template("report.html").render(**_content(report), _=_, lang=current())


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def to_pdf(report: CaseReport) -> bytes:
    """The report as a PDF: the same content as :func:`to_html`."""
    c = _content(report)
    pdf = _Pdf(_("Case {case} · a lead, not a verdict").format(case=c["case"]))
    pdf.set_title(c["title"])
    pdf.set_author(c["made_by"])
    pdf.set_subject(_("Case {case}").format(case=c["case"]))
    pdf.add_page()

    def heading(text: str, size: int = 12) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text: str, size: int = 9) -> None:
        pdf.set_font("DejaVu", "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def table(head: list[str], rows: list[list[str]], widths: list[int]) -> None:
        pdf.set_font("DejaVu", "", 7.5)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=4) as t:
            row = t.row()
            for h in head:
                row.cell(h)
            for values in rows:
                row = t.row()
                for v in values:
                    row.cell(str(v))
        pdf.ln(3)

    heading(c["title"], 15)
    para(_("Case {case} · purpose: {purpose} · made by {user} on {at}").format(
        case=c["case"], purpose=c["purpose"], user=c["made_by"], at=c["made_at"]))
    para(c["disclaimer"], 8)
    if c["out_of_date"]:
        para(_("Out of date: this finding {why}.").format(why=c["out_of_date"]))
    if c["age_note"]:
        para(c["age_note"])
    if c["guardian_note"]:
        para(c["guardian_note"])
    heading(_("Score"))
    para(_("{score} ({band}), rank {rank} in run {run}.").format(
        score=c["score"], band=c["band"], rank=c["rank"], run=c["run"]))
    heading(_("Pattern hits"))
    for p in c["patterns"]:
        para(f"• {p['name']}: {p['value']} ({p['count']} " + _("records") + ")")
    if c["counter"]:
        heading(_("Counter-evidence weighed (it lowers a lead, never hides it)"))
        for line in c["counter"]:
            para(f"• {line}")
    if c["contacts"]:
        heading(_("Named as a child's contact by a care partner"))
        for line in c["contacts"]:
            para(f"• {line}")
        para(c["contact_note"])
    if c["minors"]:
        heading(_("The minors the score rests on"))
        table([_("minor"), _("signs of exploitation"), _("weight"), _("lowered by")],
              [[m["who"], m["signs"], m["weight"], m["lowered"]] for m in c["minors"]],
              [30, 40, 10, 40])
    heading(_("The structure around the person"))
    _draw(pdf, c["picture"])
    heading(_("Evidence, with its provenance"))
    table([_("pattern"), _("record"), _("partner, delivery, extract date")],
          [[e["pattern"], e["sentence"], e["sources"]] for e in c["evidence"]], [22, 53, 45])
    if c["timeline"]:
        heading(_("Timeline"))
        table([_("when"), _("what"), _("role"), _("where"), _("partner")],
              [[e["when"], e["what"], e["role"], e["place"], e["partners"]]
               for e in c["timeline"]], [20, 22, 18, 40, 20])
    return bytes(pdf.output())


def _draw(pdf: FPDF, picture: dict[str, Any]) -> None:
    """The picture drawn with lines and circles (in millimetres, the page's unit)."""
    if not picture["nodes"]:
        pdf.ln(2)
        return
    scale = (pdf.w - pdf.l_margin - pdf.r_margin) / WIDTH
    if pdf.get_y() + HEIGHT * scale > pdf.h - 20:
        pdf.add_page()
    top, left = pdf.get_y(), pdf.l_margin
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.15)
    for e in picture["edges"]:
        pdf.line(left + e["x1"] * scale, top + e["y1"] * scale,
                 left + e["x2"] * scale, top + e["y2"] * scale)
    pdf.set_font("DejaVu", "", 5)
    for n in picture["nodes"]:
        colour = n["colour"].lstrip("#")
        pdf.set_fill_color(*(int(colour[i:i + 2], 16) for i in (0, 2, 4)))
        r = n["r"] * scale
        pdf.circle(x=left + n["x"] * scale, y=top + n["y"] * scale, radius=r, style="F")
        if n["kind"] in ("minor", "adult"):
            pdf.text(left + n["x"] * scale + r + 0.5, top + n["y"] * scale + 1, n["label"])
    pdf.set_y(top + HEIGHT * scale + 3)
