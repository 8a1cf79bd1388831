"""The exchange format's codes as a reader says them, in the reader's language: the kinds
of incidents, signals, locations and identifiers, the roles in an incident, family and
professional ties, and the roles a partner may declare. A code not listed here is shown
as it is.

>>> word("pickpocketing"), word("a_new_code"), word(None)
('pickpocketing', 'a_new_code', '')
"""

from __future__ import annotations

from i18n import N_, _

WORDS: dict[str, str] = {
    # incidents
    "pickpocketing": N_("pickpocketing"), "shoplifting": N_("shoplifting"),
    "burglary": N_("burglary"), "theft": N_("theft"), "fraud": N_("fraud"),
    "drugs": N_("drugs"), "begging": N_("begging"), "violence": N_("violence"),
    "other": N_("other"),
    # signals
    "runaway": N_("runaway"), "missing": N_("missing"),
    "no_id_documents": N_("no identity papers"), "carrying_cash": N_("carrying cash"),
    "school_absence": N_("school absence"), "unaccompanied_travel": N_("unaccompanied travel"),
    "claimed_relative": N_("claimed relative"),
    # locations
    "station": N_("station"), "shopping_street": N_("shopping street"), "shop": N_("shop"),
    "market": N_("market"), "public_transport": N_("public transport"),
    "residence": N_("residence"), "shelter": N_("shelter"), "school": N_("school"),
    # identifiers
    "phone": N_("phone"), "vehicle": N_("vehicle"), "address": N_("address"),
    "account": N_("account"),
    # roles in an incident
    "suspect": N_("suspect"), "victim": N_("victim"), "witness": N_("witness"),
    "reporter": N_("reporter"), "present": N_("present"), "collector": N_("collected"),
    # ties, and the roles a partner may declare (exchange format 1.1)
    "parent": N_("parent"), "sibling": N_("sibling"), "legal_guardian": N_("legal guardian"),
    "household": N_("household"), "same_household": N_("same household"),
    "partner": N_("partner"), "caseworker": N_("caseworker"),
    "associate": N_("associate"), "youth_worker": N_("youth worker"),
    "shelter_staff": N_("shelter staff"), "lawyer": N_("lawyer"),
    "interpreter": N_("interpreter"), "teacher": N_("teacher"), "coach": N_("coach"),
    "foster_parent": N_("foster parent"), "store_detective": N_("store detective"),
}


# A finding's band (graph.analysis.ranking.BANDS) as a reader says it.
BANDS: dict[str, str] = {"strong": N_("strong lead"), "moderate": N_("moderate lead"),
                         "weak": N_("weak lead")}


# The bands not put before a reader unasked: a weak lead is most often an ordinary adult
# near a child (docs/analysis.md, the reliability table). Candidates lists them only when
# the reader asks; an analysis run signals none of them (graph.inbox.after_analysis).
QUIET: frozenset[str] = frozenset({"weak"})


def band_name(band: str | None) -> str:
    """A finding's band as the reader's language says it (the band itself when it has no
    name).

    >>> band_name("strong"), band_name(None)
    ('strong lead', '')
    """
    if not band:
        return ""
    return _(BANDS[band]) if band in BANDS else band


def word(code: str | None) -> str:
    """``code`` as the reader's language says it (the code itself when it has no name)."""
    if not code:
        return ""
    return _(WORDS[code]) if code in WORDS else code


def words(codes: str) -> str:
    """Each code of a comma-separated list, as the reader's language says it.

    >>> words("parent, sibling")
    'parent, sibling'
    """
    return ", ".join(word(code) for code in codes.split(", "))
