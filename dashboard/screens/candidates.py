"""Candidates: the ranked findings of the latest run, with the evidence for each hit, and
the analysts' decisions on them."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import report, state
from dashboard.screens import explore
from dashboard.text import (
    age_note,
    contact_lines,
    contact_note,
    counted,
    guardian_note,
    marker_name,
    md,
    pattern_name,
    person,
    relationship_name,
    stamp,
)
from graph import case_report, overview, reviews
from graph.access import Capability
from graph.analysis import counter
from graph.explore import describe
from graph.reviews import EXPLAINED, Decision, Review, label_of
from graph.words import BANDS, QUIET, band_name
from i18n import N_, _, ngettext, number

# Findings listed: all when there are at most FEWEST_TO_CHOOSE, else a choice of the
# top ones, up to MOST_SHOWN.
FEWEST_TO_CHOOSE = 5
MOST_SHOWN = 200
PATTERNS: dict[str, str] = {
    "unrelated_collector": N_("collects, or is present with, minors to whom no family or "
                              "professional tie is known"),
    "shielded_hub": N_("linked to many minors, with few arrests of their own"),
    "mobile_minors": N_("their minors offend in several cities or abroad within short "
                        "windows"),
    "runaway_then_offence": N_("a minor left a shelter and was arrested elsewhere days later"),
    "shared_means": N_("minors of different families share a phone, address or vehicle "
                       "with them"),
    "claimed_relative": N_("claimed to be family without proof, as care partners recorded"),
    "travels_with": N_("seen travelling with minors who travelled unaccompanied"),
    "alias_churn": N_("the minors around them are arrested under several references"),
    "broker": N_("bridges otherwise separate groups of minors"),
    "handler_conduct": N_("watched a minor's offence and collected the minor, or was with a "
                          "minor in another city days after it went missing; a recorded tie "
                          "does not hide this"),
}
# What links the person to a minor (graph.analysis.ranking.LINK_WEIGHTS; relationship
# types are named by dashboard.text.relationship_name).
LINKS: dict[str, str] = {
    "claimed_relative": N_("claimed to be family"),
    "unaccompanied_travel": N_("travelled with the minor"),
    "signal": N_("named in a signal about the minor"),
    "phone": N_("shares a phone"), "vehicle": N_("shares a vehicle"),
    "account": N_("shares an account"), "address": N_("shares an address"),
    "identifier": N_("shares an identifier"),
    "watched_and_collected": N_("watched an offence and collected the minor"),
    "with_a_missing_child": N_("with the minor days after it went missing"),
}
# A decision as the title of a finding shows it.
SHORT: dict[Decision, str] = {
    Decision.OPEN: N_("reopened"), Decision.PURSUE: N_("lead to pursue"),
    Decision.FAMILY: N_("explained (family)"), Decision.WORK: N_("explained (work)"),
    Decision.INSUFFICIENT: N_("not enough to act on"),
}


def _reports(finding: dict) -> None:
    """A case report on the finding, PDF or HTML, made (and logged) when it is asked for,
    under the session's purpose: its case number is printed on the report."""
    store, viewer = state.store(), state.current()

    def made(fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            content = case_report.read(store, viewer, finding["finding"])
            return (report.to_pdf(content) if fmt == "pdf"
                    else report.to_html(content).encode("utf-8"))
        return make

    name = f"schakel-report-{finding['rank']}"
    a, b = st.columns(2)
    a.download_button(_("Case report (PDF)"), made("pdf"), f"{name}.pdf", "application/pdf",
                      key=f"rep_pdf_{finding['finding']}", on_click="ignore",
                      help=_("For a prosecutor or a care partner: hits and counter-evidence, "
                             "the evidence with its provenance, the timeline and the "
                             "structure, under this session's case number"))
    b.download_button(_("Case report (HTML)"), made("html"), f"{name}.html", "text/html",
                      key=f"rep_html_{finding['finding']}", on_click="ignore")


def _open(finding: dict) -> None:
    """Open the finding's structure (or the person, two hops) in Explore."""
    seeds = [finding["person_ref"]]
    hops = 2
    if finding["structure"]:
        members = overview.structure(state.store(), state.current(), finding["structure"])
        seeds = [finding["person_ref"]] + [m["ref"] for m in members
                                           if m["ref"] != finding["person_ref"]]
        hops = 1
    explore.load_state({"seeds": seeds, "hops": hops})
    state.go("explore")


def _share(finding: dict) -> None:
    """Investigators share a finding with teams; care partners' users see only those."""
    teams = sorted({t for u in state.users().all() for t in u.teams} | set(finding["shared_with"]))
    key = f"share_{finding['finding']}"
    chosen = st.multiselect(_("Shared with teams"), teams, default=finding["shared_with"],
                            key=key)
    if sorted(chosen) != sorted(finding["shared_with"]) and st.button(_("Save sharing"),
                                                                       key=f"{key}_save"):
        overview.share(state.store(), state.current(), finding["finding"], chosen)
        st.rerun()


def _decided(review: Review) -> str:
    return f"{review.label} — {md(review.by)}, {stamp(review.at)}"


def _review(finding: dict, run_id: str, history: list[Review]) -> None:
    """The decision on a finding of run ``run_id``: the last one on its person (and on
    which run it was made), and the user's own."""
    last = history[0] if history else None
    if last is not None:
        note = ""
        if last.run_id != run_id:
            new = sorted(set(finding["patterns"]) - set(last.patterns))
            note = " " + _("On an earlier run ({run}), on {patterns}").format(
                run=md(last.run_id), patterns=md(", ".join(last.patterns))) + (
                _("; new since: **{patterns}**.").format(patterns=md(", ".join(new)))
                if new else ".")
        st.markdown(_("**Reviewed:** {decision}.").format(decision=_decided(last)) + note)
        if len(history) > 1:
            st.caption(_("Before: {decisions}").format(
                decisions="; ".join(_decided(r) for r in history[1:6]))
                + (" …" if len(history) > 6 else ""))
    key = f"review_{finding['finding']}"
    current = last.decision if last else Decision.OPEN
    chosen = st.selectbox(_("Your decision"), list(Decision), format_func=label_of,
                          index=list(Decision).index(current), key=key)
    if chosen is not None and chosen != current and st.button(_("Save decision"),
                                                              key=f"{key}_save"):
        reviews.decide(state.store(), state.current(), finding["finding"], chosen)
        st.rerun()


def _link_name(kind: str) -> str:
    return _(LINKS[kind]) if kind in LINKS else relationship_name(kind)


def _per_minor(minors: list[dict], lines: dict[str, str]) -> None:
    """The minors a score rests on, those that weigh most first, each folded with its
    counts first: its signs, what links it to the person, what lowered it, the records."""
    st.markdown(_("**Rests on {minors}**, each weighed by its own signs of exploitation "
                  "(those that weigh most first):").format(
        minors=counted(len(minors), "minor")))
    for m in minors:
        markers: dict[str, list[str]] = m.get("markers") or {}
        records: list[str] = m.get("records") or []
        title = " · ".join([
            md(person(m["ref"], m.get("codename"))),
            counted(len(markers), "sign"),
            counted(len(records), "record"),
            _("weight {w}").format(w=number(m.get("weight", 0.0), 2))]
            + ([_("lowered")] if m.get("lowered_by") else []))
        with st.expander(title):
            signs = [f"{marker_name(k)} ({number(len(v))})"
                     for k, v in sorted(markers.items(), key=lambda kv: -len(kv[1]))]
            st.markdown(_("**Signs:** {signs}").format(
                signs=md(", ".join(signs)) if signs else _("none recorded")))
            st.markdown(_("**Linked by:** {links}").format(
                links=md(", ".join(dict.fromkeys(map(_link_name, m.get("links") or []))))))
            if m.get("lowered_by"):
                st.markdown(_("**Lowered:** {why}").format(why=md(counter.lowered_text(m))))
            if records:
                st.text("\n".join(f"• {lines.get(r, r)}" for r in records))


def _why(finding: dict, lines: dict[str, str], *, partner: bool) -> None:
    """What the score rests on (the minors, with their signs of exploitation and the
    records that link them) and what was weighed against it (counter-evidence): why, and
    why not. A care partner's user sees the kinds of counter-evidence, not the minors."""
    minors = finding.get("minors") or []
    if minors and not partner:
        _per_minor(minors, lines)
    against = finding.get("counter_evidence") or []
    if against:
        reasons = [counter.partner_text(c) if partner else counter.reason_text(c)
                   for c in against]
        st.markdown(_("**Lowered by** (counter-evidence; it never hides a hit):") + "  \n"
                    + "  \n".join(f"• {md(line)}" for line in dict.fromkeys(reasons)))
    named = finding.get("contact_of") or []  # findings of earlier runs have none
    if named:  # for a care partner's user without the children (overview.contacts_seen)
        st.markdown(_("**Named as a child's contact** by a care partner:") + "  \n"
                    + "  \n".join(f"• {md(line)}" for line in contact_lines(named)))
        st.caption(contact_note())


def _bands(per_band: dict[str | None, int]) -> list[str] | None:
    """The bands of leads the reader chooses to list (``None``: a run before the bands, all
    listed), each with its count; those not ``QUIET`` (strong and moderate) unless chosen
    otherwise (all when the run has none of them)."""
    present = [band for band in BANDS if per_band.get(band)]
    if not present:
        return None
    default = [band for band in present if band not in QUIET] or present
    chosen = st.pills(_("Leads"), present, selection_mode="multi", default=default,
                      format_func=lambda band: f"{band_name(band)} · {number(per_band[band])}",
                      key="cand_bands",
                      help=_("A weak lead rests on little evidence: most often an adult "
                             "near a child for an ordinary reason. Its person is read (and "
                             "the read logged) only when you list the weak leads."))
    left = sum(per_band[band] for band in present if band not in chosen)
    if left:
        st.caption(ngettext("{n} finding of the other leads is not listed.",
                            "{n} findings of the other leads are not listed.",
                            left).format(n=number(left)))
    return list(chosen)


def render() -> None:
    viewer = state.current()
    store = state.store()
    st.title(_("Candidates"))
    runs = overview.runs(store, viewer, n=1)
    if not runs:
        st.info(_("No analysis run yet: run `schakel analyse` to rank candidates."))
        return
    run = runs[0]
    shared = _(" shared with your team") if viewer.only_partner else ""
    st.caption(_("Run {run} of {at}: {findings}{shared}. A finding is a set of pattern hits "
                 "for a person to review, never a conclusion.").format(
        run=run["run"], at=stamp(run["at"]), findings=counted(run["findings"], "finding"),
        shared=shared))
    if not run["findings"]:
        st.info(ngettext(
            "No finding of this run has been shared with your team ({teams}). Investigators "
            "share the findings a care partner needs to act on.",
            "No finding of this run has been shared with your teams ({teams}). Investigators "
            "share the findings a care partner needs to act on.",
            len(viewer.teams)).format(teams=md(", ".join(viewer.teams))))
        return
    per_band = overview.bands(store, viewer, run["run"])
    chosen = _bands(per_band)
    if chosen is not None and not chosen:
        st.info(_("Choose which leads to list."))
        return
    top = sum(n for band, n in per_band.items() if chosen is None or band is None
              or band in chosen)  # as overview.findings lists them
    if not top:
        st.info(_("No finding of this run is among the leads chosen."))
        return
    if top > FEWEST_TO_CHOOSE:  # a slider from 5 to 5 is refused by Streamlit
        top = st.slider(_("Show the top"), min_value=FEWEST_TO_CHOOSE,
                        max_value=min(MOST_SHOWN, top), value=min(20, top), key="cand_top")
    found = overview.findings(store, viewer, run["run"], limit=top, bands=chosen)
    decided: dict[str, list[Review]] = {}
    if viewer.can(Capability.REVIEW):
        decided = reviews.of_persons(store, viewer, [f["person_ref"] for f in found])
        if st.checkbox(_("Hide the findings reviewed as explained"), key="cand_hide_explained",
                       help=_("Explained by a family tie or by their work: the last decision "
                              "on the person, in this run or an earlier one.")):
            explained = {p for p, history in decided.items() if history[0].decision in EXPLAINED}
            listed = [f for f in found if f["person_ref"] not in explained]
            st.caption(_("{n} explained, not listed.").format(n=number(len(found) - len(listed))))
            found = listed
    refs = sorted({r for f in found for i in f["indicators"] for r in i["evidence"]}
                  | ({r for f in found for m in f.get("minors") or [] for r in m.get("records")
                      or []} if not viewer.only_partner else set()))
    lines = describe(store, viewer, refs)
    for f in found:
        aliases = (" " + _("(also {refs})").format(refs=md(", ".join(f["aliases"])))
                   if f["aliases"] else "")
        history = decided.get(f["person_ref"], [])
        status = f" · {_(SHORT[history[0].decision])}" if history else ""
        band = f" ({band_name(f['band'])})" if f.get("band") in BANDS else ""
        stale = " · " + _("out of date") if f.get("out_of_date") else ""
        ask = " · " + _("parent or guardian?") if f.get("guardian_like") else ""
        if f.get("contact_of"):  # a care partner named the person as a child's contact
            ask += " · " + _("named as a child's contact")
        title = (f"#{f['rank']} · {md(person(f['person_ref'], f['codename']))}{aliases} · "
                 + _("score {score}").format(score=number(f["score"], 2))
                 + f"{band} · {', '.join(map(pattern_name, f['patterns']))}{status}{stale}"
                 + ask)
        with st.expander(title, expanded=f["rank"] == 1):
            if f.get("out_of_date"):  # a partner withdrew data it used (graph/withdrawal.py)
                st.warning(_("Out of date: this finding {why}. The next analysis run ranks "
                             "what remains.").format(why=md(f["out_of_date"])),
                           icon=":material/history_toggle_off:")
            if f.get("age_recorded") is False:  # findings of earlier runs do not say
                st.info(age_note(), icon=":material/help:")
            if f.get("guardian_like"):
                st.warning(guardian_note(), icon=":material/family_restroom:")
            st.code(f["person_ref"], language=None)  # the full ref, to copy in one click
            if st.button(_("Open in Explore"), key=f"open_{f['finding']}",
                         help=_("Draw this person's structure in Explore")):
                _open(f)
            _reports(f)
            if viewer.can(Capability.SHARE):
                _share(f)
            elif f["shared_with"]:
                st.caption(_("Shared with your team by an investigator."))
            if viewer.can(Capability.REVIEW):
                _review(f, run["run"], history)
            _why(f, lines, partner=viewer.only_partner is not None)
            # the evidence grouped by pattern, counts first, each group folded open on a click
            for ind in f["indicators"]:
                meaning = _(PATTERNS[ind["name"]]) if ind["name"] in PATTERNS else ""
                with st.expander(_("{pattern} · {n} · value {value}").format(
                        pattern=pattern_name(ind["name"]),
                        n=counted(len(ind["evidence"]), "record"), value=ind["value"])):
                    st.caption(md(meaning))
                    st.text("\n".join(f"• {lines.get(r, r)}" for r in ind["evidence"][:50])
                            + ("\n" + _("… and {n} more").format(
                                n=number(len(ind["evidence"]) - 50))
                               if len(ind["evidence"]) > 50 else ""))


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
