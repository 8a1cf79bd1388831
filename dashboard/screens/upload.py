"""Upload (a partner's user, or an administrator on a partner's behalf): a delivery as a
.zip, a preview of what it would load, then the load once the user confirms. The work is
done by :mod:`ingest.upload`; this page shows it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.text import counted, md, stamp
from graph.access import Capability, Role, Viewer
from graph.errors import GraphError
from graph.inbox.standing import Standing
from graph.withdrawal import Report as WithdrawalReport
from i18n import _, number
from ingest.check import Checked
from ingest.errors import IngestError
from ingest.load import DeliveryReport
from ingest.pseudonymise import team_key
from ingest.upload import LIMIT_MB, Upload, check, discard, load, receive, withdrawal

REJECTS_SHOWN = 500


def _refused(report: DeliveryReport) -> None:
    st.error(_("Refused: nothing of this delivery would be stored.") + "  \n"
             + "  \n".join(f"• {md(reason)}" for reason in report.refused),
             icon=":material/block:")


def _rejects(report: DeliveryReport) -> None:
    if not report.rejects:
        return
    st.markdown(_("**Rejected rows** (each with file, line, column and reason; the rest "
                  "of the delivery loads):"))
    st.dataframe(pd.DataFrame(
        [{_("file"): r.file, _("line"): r.line, _("column"): r.column, _("reason"): r.reason}
         for r in report.rejects[:REJECTS_SHOWN]]), hide_index=True, width="stretch")
    if len(report.rejects) > REJECTS_SHOWN:
        st.caption(_("The first {shown} of {n}; `schakel check --rejects FILE` writes them "
                     "all.").format(shown=number(REJECTS_SHOWN), n=number(len(report.rejects))))


def _preview(report: Checked) -> None:
    st.subheader(_("Preview: {partner}, delivery {ref}").format(
        partner=md(report.partner), ref=md(report.ref)))
    st.dataframe(pd.DataFrame(
        [{_("file"): f.file, _("rows read"): f.read, _("would load"): f.loaded,
          _("rejected"): f.rejected, _("new"): "—" if f.new is None else number(f.new),
          _("known"): "—" if f.known is None else number(f.known)}
         for f in report.checks]), hide_index=True, width="stretch")
    st.caption(_("New and known: places, persons, incidents and signals the graph does not "
                 "hold yet, or already holds (they would be updated){mine}.").format(
        mine=_(", counting your partner's own earlier deliveries only")
        if state.current().role is Role.PARTNER else ""))
    before = report.loaded_before
    if before is not None:
        when = stamp(before.loaded_at.isoformat()) if before.loaded_at else "?"
        st.info(_("This delivery was loaded before ({when}): loading it again changes "
                  "nothing.").format(when=when), icon=":material/history:")
    _rejects(report)


def _loaded(report: DeliveryReport) -> None:
    if report.refused:
        _refused(report)
        return
    st.success(_("Loaded {file}: {loaded} of {read}, {rejected}.").format(
        file=md(report.source), loaded=counted(report.loaded, "row"),
        read=number(report.loaded + report.rejected),
        rejected=_("{n} rejected").format(n=number(report.rejected))),
        icon=":material/task_alt:")
    if report.signals is not None:
        st.caption(_("Signals: {new} new, {updated} with new evidence (Inbox).").format(
            new=number(report.signals.created), updated=number(report.signals.updated)))
    _rejects(report)


def _withdrawal_counts(report: WithdrawalReport) -> None:
    st.dataframe(pd.DataFrame(
        [{_("records of"): name, _("leave the graph"): report.removed.get(name, 0),
          _("stay (other support)"): report.kept.get(name, 0)}
         for name in sorted(set(report.removed) | set(report.kept))]),
        hide_index=True, width="stretch")
    for e in report.exports:
        st.warning(_("Exported earlier by {user} on {at} ({action}, case {case}): tell them.")
                   .format(user=md(e["user"]), at=md(stamp(e["at"])), action=md(e["action"]),
                           case=md(e.get("case") or "-")), icon=":material/outbox:")
    for name in report.missing:
        st.caption(_("{record}: not a record of this partner in the graph; left as it is")
                   .format(record=md(name)))


def _withdraw(viewer: Viewer) -> None:
    """A withdrawal manifest: what it would take, then, once confirmed, taken."""
    st.subheader(_("Withdraw a delivery or records"))
    st.caption(_("A withdrawal manifest (.json, docs/exchange-format-withdrawal.md) takes back "
                 "whole deliveries or single records. What rests only on them leaves the "
                 "graph; findings, signals and saved views that used them say so."))
    done = st.session_state.pop("withdrawal_done", None)
    if done is not None:
        st.success(_("Withdrawn. Marked out of date: {findings} findings; marked withdrawn: "
                     "{signals} signals, {views} saved views.").format(
            findings=number(done.findings_out_of_date), signals=number(done.signals_marked),
            views=number(done.views_marked)), icon=":material/task_alt:")
    chosen = st.file_uploader(_("Withdrawal (.json)"), type=["json"],
                              key=f"withdraw_file_{st.session_state.get('withdraw_round', 0)}")
    if chosen is None:
        return
    settings = state.settings()
    try:
        taken, preview = withdrawal(state.store(), team_key(settings), viewer, chosen.name,
                                    chosen.getvalue())
    except (IngestError, GraphError) as exc:
        st.error(md(str(exc)), icon=":material/block:")
        return
    st.markdown(_("**{partner}** withdraws {deliveries} deliveries and {records} single "
                  "records: *{reason}*").format(
        partner=md(taken.partner), deliveries=number(len(taken.deliveries)),
        records=number(len(taken.records)), reason=md(taken.reason)))
    _withdrawal_counts(preview)
    with st.form("withdraw_confirm"):
        sure = st.checkbox(_("Withdraw this, for {partner}").format(partner=md(taken.partner)))
        if st.form_submit_button(_("Withdraw"), type="primary"):
            if not sure:
                st.error(_("Tick the box to confirm the withdrawal."))
            else:
                applied = withdrawal(state.store(), team_key(settings), viewer,
                                     chosen.name, chosen.getvalue(), apply=True)[1]
                st.session_state["withdrawal_done"] = applied
                st.session_state["withdraw_round"] = \
                    st.session_state.get("withdraw_round", 0) + 1
                st.rerun()


def render() -> None:
    viewer = state.current()
    viewer.require(Capability.UPLOAD)
    st.title(_("Upload a delivery"))
    st.caption(_("One .zip of exchange format v1 or v1.1 (a manifest.json and the CSV files), "
                 "at most {mb} MB. Schakel checks it first and shows what it would load; "
                 "nothing is stored until you confirm. Every check and load is in the audit "
                 "log.").format(mb=LIMIT_MB))
    if viewer.role is Role.PARTNER:
        st.caption(_("You upload deliveries of {partner} only.").format(
            partner=md(viewer.partner)))
    else:
        st.caption(_("As an administrator you upload on behalf of the partner its manifest "
                     "names."))
    done = st.session_state.pop("upload_done", None)
    if done is not None:
        _loaded(done)
    _delivery(viewer)
    st.divider()
    _withdraw(viewer)


def _delivery(viewer: Viewer) -> None:
    """A delivery's .zip: checked and previewed, then loaded once confirmed."""
    # a new key empties the box after a load (Streamlit cannot set an uploader's value)
    chosen = st.file_uploader(_("Delivery (.zip)"), type=["zip"],
                              key=f"upload_file_{st.session_state.get('upload_round', 0)}")
    if chosen is None:
        st.session_state.pop("upload", None)
        return
    settings = state.settings()
    kept: tuple[str, Upload, Checked] | None = st.session_state.get("upload")
    if kept is None or kept[0] != chosen.file_id:
        try:
            upload = receive(settings.home, viewer, chosen.name, chosen.getvalue())
            with st.spinner(_("Checking {file}…").format(file=md(chosen.name))):
                report = check(state.store(), team_key(settings), viewer, upload)
        except IngestError as exc:
            st.error(md(str(exc)), icon=":material/block:")
            return
        kept = (chosen.file_id, upload, report)
        st.session_state["upload"] = kept
    upload, report = kept[1], kept[2]
    if report.refused:
        _refused(report)
        discard(upload)
        return
    _preview(report)
    with st.form("upload_confirm"):
        sure = st.checkbox(_("Load {file}: {rows} would load, {rejected} rejected").format(
            file=md(upload.name), rows=number(report.loaded),
            rejected=number(report.rejected)))
        if st.form_submit_button(_("Load this delivery"), type="primary"):
            if not sure:
                st.error(_("Tick the box to confirm the load."))
            else:
                with st.spinner(_("Loading {file}…").format(file=md(upload.name))):
                    loaded = load(state.store(), team_key(settings), viewer, upload,
                                  standing=Standing(team=settings.team))
                st.session_state["upload_done"] = loaded
                st.session_state.pop("upload", None)
                st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
                st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
