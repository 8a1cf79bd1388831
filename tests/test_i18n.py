"""Dutch and English: the catalog is complete and up to date, no text on a page escapes
it, Dutch is the default, and numbers, counts and evidence read the Dutch way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import i18n
from dashboard.auth import UserError, Users
from dashboard.text import counted, kind_name, paths_summary
from graph.access import Role
from graph.analysis import counter
from graph.inbox.alerts import Evidence
from graph.settings import Settings
from graph.words import WORDS
from i18n import catalogs, speaking
from tests.helpers import schakel

ROOT = Path(__file__).resolve().parent.parent
# Calls whose first argument (or help=, placeholder=, label=) a reader sees.
SHOWN = {"title", "header", "subheader", "caption", "markdown", "info", "warning", "error",
         "success", "button", "download_button", "text_input", "text_area", "selectbox",
         "multiselect", "radio", "checkbox", "slider", "number_input", "date_input",
         "expander", "metric", "form_submit_button", "toggle", "segmented_control",
         "page_link", "write", "popover", "link_button", "CheckboxColumn", "TextColumn",
         "toast", "spinner", "tabs"}
SHOWN_KEYWORDS = {"help", "placeholder", "label"}
BOTH_LANGUAGES = {"Taal · Language"}  # the language switch names itself in both


def untranslated(path: Path) -> list[str]:
    """Texts a page shows that do not go through the catalog: literals and f-strings with
    words in them, given straight to Streamlit."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SHOWN):
            continue
        args = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        if args and isinstance(args[0], ast.List):
            args = list(args[0].elts) + args[1:]
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                words = arg.value
            elif isinstance(arg, ast.JoinedStr):
                words = "".join(v.value for v in arg.values
                                if isinstance(v, ast.Constant) and isinstance(v.value, str))
            else:
                continue
            words_only = re.sub(r"%[a-z]", "", words)  # a logger's "%s" says nothing
            if any(c.isalpha() for c in words_only) and words not in BOTH_LANGUAGES:
                found.append(f"{path.relative_to(ROOT)}:{arg.lineno}: {words[:60]!r}")
    return found


def test_the_catalog_has_every_text_of_the_code_in_dutch_and_nothing_else() -> None:
    assert catalogs.problems() == []


def test_no_page_shows_a_text_that_is_not_in_the_catalog() -> None:
    pages = sorted((ROOT / "dashboard").rglob("*.py"))
    assert len(pages) > 10
    assert [line for p in pages for line in untranslated(p)] == []


def test_the_lint_sees_a_text_outside_the_catalog(tmp_path: Path) -> None:
    page = ROOT / "dashboard" / "_lint_probe.py"
    try:
        page.write_text('import streamlit as st\nn = 3\nst.title("Overzicht")\n'
                        'st.caption(f"{n} nodes")\nst.caption(f"{n}")\n'
                        'st.button(_("Sign in"), help="Press it")\n', "utf-8")
        assert [line.split(": ", 1)[1] for line in untranslated(page)] == [
            "'Overzicht'", "' nodes'", "'Press it'"]
    finally:
        page.unlink()


def test_dutch_is_the_default_and_english_a_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHAKEL_LANGUAGE")
    i18n.use(None)
    assert i18n.current() == "nl"
    assert i18n._("Sign in") == "Aanmelden"
    monkeypatch.setenv("SCHAKEL_LANGUAGE", "en")
    assert i18n._("Sign in") == "Sign in"
    i18n.use("nl")  # a user's choice wins over the installation's
    assert i18n._("Sign in") == "Aanmelden"
    i18n.use(None)


def test_numbers_counts_and_evidence_read_the_dutch_way() -> None:
    with speaking("nl"):
        assert counted(1, "node") == "1 knoop"
        assert counted(12_345, "signal") == "12.345 signaleringen"
        assert counted(100, "path", more=True) == "100+ paden"
        assert i18n.number(0.5, 2) == "0,50"
        assert kind_name("minor") == "minderjarige"
        assert Evidence("i-1", "incident", "shoplifting", "2016-02-11", "Amsterdam", "p",
                        "youth_care").sentence() == (
            "incident (winkeldiefstal) op 2016-02-11 in Amsterdam, geregistreerd door jeugdzorg")
        assert i18n._("Purpose of this session") == "Doel van de raadpleging"
    with speaking("en"):
        assert counted(12_345, "signal") == "12,345 signals"


def test_a_user_s_language_is_remembered(tmp_path: Path) -> None:
    users = Users.of_home(tmp_path)
    users.add("nel", "a long enough password", role=Role.ANALYST, teams=("jit",))
    before = users.get("nel")
    assert before is not None and before.language is None
    users.set_language("nel", "nl")
    after = Users.of_home(tmp_path).get("nel")
    assert after is not None and after.language == "nl"
    assert after.mark == before.mark  # choosing a language does not end the session


def test_paths_summary_is_translated_too() -> None:
    from graph.explore import Paths
    from graph.subgraph import Subgraph

    empty = Paths(Subgraph({}, [], 0), longest=4)
    with speaking("nl"):
        assert paths_summary(empty) == (
            "Geen pad van hoogstens 4 relaties tussen de twee, met deze filters.")


def test_the_reasons_a_finding_was_lowered_are_said_in_the_reader_s_language() -> None:
    """The analysis stores each reason with its template; the page and the case report
    say it in Dutch, tie and role names included, and a partner reads only the kind."""
    found = counter.saying("family", counter.N_("recorded family tie ({kinds}) with {minor}"),
                           ("M-1",), kinds="parent, sibling", minor="M-1")
    stored = {"kind": found.kind, **found.said()}
    assert stored["reason"] == "recorded family tie (parent, sibling) with M-1"
    with speaking("nl"):
        assert counter.reason_text(stored) == \
            "geregistreerde familieband (ouder, broer of zus) met M-1"
        assert counter.partner_text(stored) == "een geregistreerde familieband"
        assert counter.reason_text({"reason": "an older run's sentence"}) == \
            "an older run's sentence"
        # reasons earlier versions stored, whose sentences this version says otherwise or
        # no longer says
        sentence, contact = counter.EARLIER
        assert counter.reason_text({"reason": "x", "template": sentence, "values": {"n": "5"}}) \
            .startswith("aanwezig bij de politiecontacten van 5 minderjarigen")
        assert counter.reason_text({"reason": "x", "template": contact,
                                    "values": {"minor": "M-1", "n": "2"}}) == (
            "door een zorgpartner genoemd als de volwassene die zij over M-1 bereikte "
            "(signalen: 2)")
        assert counter.partner_text({"kind": "contact"}).startswith("door een zorgpartner")
    # every family tie the analysis names (counter.recorded) has a word in the catalog
    assert {t.removesuffix("_OF").lower() for t in counter.FAMILY} <= set(WORDS)
    with speaking("en"):
        assert counter.reason_text(stored) == stored["reason"]
    # every kind has its name, and the kinds of earlier versions keep theirs
    assert set(counter.FACTORS) <= set(counter.KINDS)
    assert set(counter.KINDS) - set(counter.FACTORS) == {"contact"}


def test_the_command_line_speaks_the_installation_s_language(
        neo4j_settings: Settings, tmp_path: Path) -> None:
    dutch = schakel(neo4j_settings, "users", "remove", "niemand", SCHAKEL_HOME=str(tmp_path),
                    SCHAKEL_LANGUAGE="nl")
    assert dutch.returncode == 1 and "Geen gebruiker 'niemand'." in dutch.stderr
    english = schakel(neo4j_settings, "users", "remove", "niemand",
                      SCHAKEL_HOME=str(tmp_path))
    assert english.returncode == 1 and "No user 'niemand'." in english.stderr
    wrong = schakel(neo4j_settings, "users", "list", SCHAKEL_HOME=str(tmp_path),
                    SCHAKEL_LANGUAGE="fr")
    assert wrong.returncode == 2 and "SCHAKEL_LANGUAGE" in wrong.stderr


def test_a_translation_that_loses_a_field_is_caught(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "nl.po"
    text = catalogs.PO.read_text("utf-8")
    good = 'msgstr "Inbox · {n} nieuw"'
    assert good in text
    broken.write_text(text.replace(good, 'msgstr "Inbox · {aantal} nieuw"'), "utf-8")
    monkeypatch.setattr(catalogs, "PO", broken)
    assert catalogs.problems() == [
        "the Dutch names other {fields} than the English: 'Inbox · {n} new'"]


def test_a_language_schakel_does_not_speak_is_refused_by_name(tmp_path: Path) -> None:
    users = Users.of_home(tmp_path)
    users.add("nel", "a long enough password", role=Role.ANALYST, teams=("jit",))
    with pytest.raises(UserError, match="language 'fr': one of nl, en"):
        users.set_language("nel", "fr")
    kept = users.get("nel")
    assert kept is not None and kept.language is None  # nothing else changed
