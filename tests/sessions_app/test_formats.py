"""Formats organisers shape: their pages, a session choosing one, the frozen copy a
running session keeps, and the job-aid shown to whoever drives."""

from dataclasses import replace

import pytest

from participants.models import Group, Membership
from sessions_app import flow, formats, live, render
from sessions_app.models import Format, Session
from tests.conftest import make_user

from .test_scheduling import schedule_data


def text(response):
    return response.content.decode()


@pytest.fixture
def shaped(group):
    rows = formats.preset_rows("intervision")
    rows[1] = {**rows[1], "label": "Questions de compréhension", "timebox": 12,
               "aid": "Rappelez : seulement des questions ouvertes."}
    return Format.objects.create(group=group, name="Intervision courte", base="intervision",
                                 phases=rows, stage_aids={"triage": "Un mot, pas une phrase."})


def edit_data(fmt, **changes):
    """The edit form as the page posts it, with the format's current values."""
    data = {"name": fmt.name, "report_back": "", "op": "save",
            "phases-TOTAL_FORMS": str(len(fmt.phases)), "phases-INITIAL_FORMS": "0",
            "phases-MIN_NUM_FORMS": "1", "phases-MAX_NUM_FORMS": "12"}
    for stage in formats.AID_STAGES:
        data[f"aid_{stage}"] = fmt.stage_aids.get(stage, "")
    for i, row in enumerate(fmt.phases):
        for field in ("key", "label", "block", "timebox", "kind", "rule", "aid"):
            data[f"phases-{i}-{field}"] = row.get(field, "")
    data.update(changes)
    return data


# --- The organiser's pages -------------------------------------------------------------------


def test_the_list_offers_both_presets_and_the_groups_formats(client, organiser, group, shaped):
    client.force_login(organiser)
    page = text(client.get(f"/g/{group.pk}/formats/"))
    assert "Intervision courte" in page
    assert "Codéveloppement" in page and "Apprentissages" in page
    assert f'href="/g/{group.pk}/formats/"' in page  # the group's navigation links here


def test_the_list_says_when_the_group_has_no_format_of_its_own(client, organiser, group):
    client.force_login(organiser)
    assert "Aucun format propre au groupe" in text(client.get(f"/g/{group.pk}/formats/"))


def test_an_organiser_creates_a_format_from_a_preset_then_renames_a_phase(
    client, organiser, group
):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/formats/new/", {"source": "codev"})
    fmt = Format.objects.get(group=group)
    assert response["Location"] == f"/g/{group.pk}/formats/{fmt.pk}/"
    assert fmt.base == "codev" and [r["key"] for r in fmt.phases][-1] == "apprentissages"
    response = client.post(
        f"/g/{group.pk}/formats/{fmt.pk}/",
        edit_data(fmt, name="Codév du jeudi", **{"phases-2-label": "Demande d’aide",
                                               "phases-2-timebox": "8"}),
    )
    assert response.status_code == 302
    fmt.refresh_from_db()
    assert fmt.name == "Codév du jeudi"
    assert fmt.phases[2]["label"] == "Demande d’aide" and fmt.phases[2]["timebox"] == 8
    # The method as codev practitioners run it: the contract (reformulations, then the
    # request), the harvested consultation, the client's synthesis and dated plan.
    assert [(r["block"], r["kind"]) for r in fmt.phases] == [
        ("speech", ""), ("rounds", "question"), ("contract", "reformulation"),
        ("harvest", "suggestion"), ("synthesis", ""), ("round_all", "learning"),
    ]
    assert flow.phases_from_data(fmt.phases) == flow.FORMATS["codev"][:2] + (
        replace(flow.FORMATS["codev"][2], label="Demande d’aide", timebox=8),
    ) + flow.FORMATS["codev"][3:]


def test_the_editor_offers_the_codev_blocks(client, organiser, group, shaped):
    client.force_login(organiser)
    page = text(client.get(f"/g/{group.pk}/formats/{shaped.pk}/"))
    for label in ("Contrat\u00a0: reformulations puis demande", "Consultation récoltée",
                  "Synthèse et plan daté"):
        assert label in page, label
    url = f"/g/{group.pk}/formats/{shaped.pk}/"
    page = text(client.post(url, edit_data(shaped, op="add", new_block="synthesis")))
    assert 'key" value="p1"' in page
    # The panier becomes a synthèse; a new phase, a harvested consultation before it.
    data = edit_data(shaped, **{"phases-3-block": "synthesis", "phases-TOTAL_FORMS": "5",
                                "phases-4-key": "p1", "phases-4-block": "harvest",
                                "phases-4-timebox": "20", "phases-4-kind": "question",
                                "phases-4-label": "Idées"})
    assert client.post(url, data).status_code == 302
    shaped.refresh_from_db()
    assert [(r["block"], r["kind"]) for r in shaped.phases[3:]] == [
        ("synthesis", ""), ("harvest", "suggestion")
    ]
    assert [p.mode for p in flow.phases_from_data(shaped.phases)][3:] == [
        "synthesis", "harvest"
    ]


def test_a_round_records_only_what_rounds_record(client, organiser, group, shaped):
    client.force_login(organiser)
    url = f"/g/{group.pk}/formats/{shaped.pk}/"
    response = client.post(url, edit_data(shaped, **{"phases-1-kind": "reformulation"}))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)


def test_a_copy_of_a_groups_format_keeps_its_texts(client, organiser, group, shaped):
    client.force_login(organiser)
    client.post(f"/g/{group.pk}/formats/new/", {"source": f"f{shaped.pk}"})
    copy = Format.objects.exclude(pk=shaped.pk).get()
    assert copy.name == "Copie d’Intervision courte"
    assert copy.phases == shaped.phases and copy.stage_aids == shaped.stage_aids


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phases-1-timebox", "0", "Une durée entre 1 et 120 minutes."),
        ("phases-1-timebox", "121", "Une durée entre 1 et 120 minutes."),
        ("name", "", "Donnez un nom au format."),
    ],
)
def test_a_bad_edit_is_explained_and_loses_nothing_typed(
    client, organiser, group, shaped, field, value, message
):
    client.force_login(organiser)
    response = client.post(
        f"/g/{group.pk}/formats/{shaped.pk}/",
        edit_data(shaped, **{field: value, "phases-0-aid": "Texte en cours d’écriture"}),
    )
    assert response.status_code == 200
    assert message in text(response)
    assert "Texte en cours d’écriture" in text(response)
    shaped.refresh_from_db()
    assert shaped.phases[0]["aid"] == ""


def test_a_new_phase_needs_a_name(client, organiser, group, shaped):
    client.force_login(organiser)
    data = edit_data(shaped, op="add", new_block="round_all")
    page = text(client.post(f"/g/{group.pk}/formats/{shaped.pk}/", data))
    assert 'key" value="p1"' in page and "Phase 5" in page
    data = edit_data(shaped, **{"phases-TOTAL_FORMS": "5", "phases-4-key": "p1",
                                "phases-4-block": "round_all", "phases-4-timebox": "10",
                                "phases-4-kind": "learning", "phases-4-label": ""})
    assert "Donnez un nom à cette phase." in text(
        client.post(f"/g/{group.pk}/formats/{shaped.pk}/", data)
    )
    data["phases-4-label"] = "Ce que j’emporte"
    client.post(f"/g/{group.pk}/formats/{shaped.pk}/", data)
    shaped.refresh_from_db()
    assert shaped.phases[4]["label"] == "Ce que j’emporte"
    assert shaped.phases[4]["block"] == "round_all"


def test_moving_and_removing_phases_is_shown_then_saved(client, organiser, group, shaped):
    client.force_login(organiser)
    url = f"/g/{group.pk}/formats/{shaped.pk}/"
    page = text(client.post(url, edit_data(shaped, op="down-0")))
    assert "Pas encore enregistré" in page
    assert page.index('key" value="clarification"') < page.index('key" value="expose"')
    shaped.refresh_from_db()
    assert shaped.phases[0]["key"] == "expose"  # nothing saved yet
    page = text(client.post(url, edit_data(shaped, op="remove-2")))
    assert 'key" value="reaction"' not in page and 'key" value="panier"' in page


def test_the_last_phase_cannot_be_removed(client, organiser, group):
    fmt = Format.objects.create(group=group, name="Une", base="intervision",
                                phases=formats.preset_rows("intervision")[:1])
    client.force_login(organiser)
    page = text(client.post(f"/g/{group.pk}/formats/{fmt.pk}/", edit_data(fmt, op="remove-0")))
    assert "Il faut au moins une phase." in page and 'key" value="expose"' in page


def test_deleting_asks_first_and_started_sessions_keep_their_copy(
    client, organiser, facilitator, participants, group, shaped
):
    session = Session.objects.create(group=group, format="intervision", shaped_format=shaped)
    session.facilitators.add(facilitator)
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    client.force_login(organiser)
    url = f"/g/{group.pk}/formats/{shaped.pk}/delete/"
    assert "Supprimer le format «\u00a0Intervision courte\u00a0»" in text(client.get(url))
    assert Format.objects.filter(pk=shaped.pk).exists()
    client.post(url)
    assert not Format.objects.filter(pk=shaped.pk).exists()
    session.refresh_from_db()
    state = session.flow_state()
    assert state.phases[1].label == "Questions de compréhension"
    assert session.texts["stages"]["triage"] == "Un mot, pas une phrase."


@pytest.mark.parametrize("persona", ["participant", "facilitator", "other_group_member"])
def test_only_the_groups_organisers_reach_its_formats(request, client, group, shaped, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in (f"/g/{group.pk}/formats/", f"/g/{group.pk}/formats/{shaped.pk}/",
                f"/g/{group.pk}/formats/{shaped.pk}/delete/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/g/{group.pk}/formats/new/", {"source": "codev"}).status_code == 404
    assert Format.objects.count() == 1


def test_an_organiser_cannot_reach_another_groups_format(client, shaped):
    other = Group.objects.create(name="Autre groupe")
    boss = make_user("Dominique")
    Membership.objects.create(group=other, user=boss, role=Membership.ORGANISER)
    client.force_login(boss)
    assert client.get(f"/g/{other.pk}/formats/{shaped.pk}/").status_code == 404
    assert client.post(f"/g/{other.pk}/formats/{shaped.pk}/delete/").status_code == 404
    copy = client.post(f"/g/{other.pk}/formats/new/", {"source": f"f{shaped.pk}"})
    assert copy.status_code == 404
    assert Format.objects.count() == 1


def test_one_format_is_the_groups_default_for_new_sessions(client, organiser, group, shaped):
    other = Format.objects.create(group=group, name="Autre", base="codev", is_default=True,
                                  phases=formats.preset_rows("codev"))
    client.force_login(organiser)
    client.post(f"/g/{group.pk}/formats/{shaped.pk}/", edit_data(shaped, is_default="on"))
    shaped.refresh_from_db()
    other.refresh_from_db()
    assert shaped.is_default and not other.is_default
    assert "par défaut" in text(client.get(f"/g/{group.pk}/formats/"))
    page = text(client.get(f"/g/{group.pk}/sessions/new/"))
    assert f'<option value="f{shaped.pk}" selected>' in page


# --- A session uses it -------------------------------------------------------------------------


def test_a_session_is_scheduled_with_the_groups_format(
    client, organiser, facilitator, group, shaped
):
    client.force_login(organiser)
    page = text(client.get(f"/g/{group.pk}/sessions/new/"))
    assert "Intervision courte" in page and "Codéveloppement" in page
    client.post(f"/g/{group.pk}/sessions/new/", schedule_data(facilitator, method=f"f{shaped.pk}"))
    session = Session.objects.get(group=group)
    assert session.shaped_format == shaped and session.format == "intervision"
    client.post(f"/s/{session.pk}/edit/", schedule_data(facilitator, method="codev"))
    session.refresh_from_db()
    assert session.shaped_format is None and session.format == "codev"


def test_a_running_session_keeps_the_format_it_started_with(
    client, organiser, facilitator, participants, group, shaped
):
    session = Session.objects.create(group=group, format="intervision", shaped_format=shaped)
    session.facilitators.add(facilitator)
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    snap = live.apply(session.pk, facilitator, {"type": "start"}, None)
    assert snap["texts"] == {"rule": "", "aid": "Un mot, pas une phrase."}
    # Edited afterwards: the running session does not change.
    shaped.phases = formats.preset_rows("codev")
    shaped.save()
    session.refresh_from_db()
    assert [p.key for p in session.flow_state().phases][2] == "reaction"
    assert session.flow_state().phases[1].timebox == 12


def test_the_snapshot_carries_only_the_current_phases_texts(
    facilitator, participants, group, shaped
):
    session = Session.objects.create(group=group, format="intervision", shaped_format=shaped)
    session.facilitators.add(facilitator)
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    snap = live.apply(session.pk, facilitator, {"type": "start"}, None)
    assert "questions ouvertes" not in repr(snap)  # the clarification's aid: not yet
    live.apply(session.pk, facilitator, {"type": "propose", "keyword": "budget"}, None)
    live.apply(session.pk, facilitator, {"type": "close_triage"}, None)
    live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)
    snap = live.apply(session.pk, facilitator, {"type": "done"}, None)
    assert snap["texts"] == {"rule": "", "aid": "Rappelez : seulement des questions ouvertes."}
    assert "Un mot, pas une phrase." not in repr(snap)


def test_the_facilitator_sees_the_job_aid_of_the_current_stage_the_others_do_not(
    client, facilitator, participant, participants, group, shaped
):
    session = Session.objects.create(group=group, format="intervision", shaped_format=shaped)
    session.facilitators.add(facilitator)
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    snap = live.apply(session.pk, facilitator, {"type": "start"}, None)
    facilitator_view = render.render_live(snap, "facilitator", "fr")
    assert "Aide à l’animation" in facilitator_view
    assert "Un mot, pas une phrase." in facilitator_view
    participant_view = render.render_live(snap, "participant", "fr")
    assert "Aide à l’animation" not in participant_view


def test_a_presets_job_aid_is_translated(session, facilitator, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    snap = live.apply(session.pk, facilitator, {"type": "start"}, None)
    french = render.render_live(snap, "facilitator", "fr")
    assert "Un mot-clé pour votre sujet, ou passez." in french
    english = render.render_live(snap, "facilitator", "en")
    assert "Facilitation guide" in english and "A keyword for your subject, or pass." in english


# --- The format's time boxes, said where they are shown (issue 23) ----------------------------


@pytest.fixture
def one_minute_expose(group):
    rows = formats.preset_rows("intervision")
    rows[0] = {**rows[0], "timebox": 1}
    return Format.objects.create(group=group, name="Intervision minute", base="intervision",
                                 phases=rows)


def at_the_expose(session, facilitator, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    live.apply(session.pk, facilitator, {"type": "propose", "keyword": "budget"}, None)
    live.apply(session.pk, facilitator, {"type": "close_triage"}, None)
    return live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)


def test_the_expose_rule_says_the_formats_time_box_not_the_presets(
    facilitator, participants, group, one_minute_expose
):
    session = Session.objects.create(
        group=group, format="intervision", shaped_format=one_minute_expose
    )
    session.facilitators.add(facilitator)
    snap = at_the_expose(session, facilitator, participants)
    for audience in ("facilitator", "participant"):
        page = render.render_live(snap, audience, "fr")
        assert "expose sa situation (1\u00a0min)" in page
        assert "5 à 10 minutes" not in page
    aid = render.render_live(snap, "facilitator", "fr")
    assert "Vous avez 1\u00a0min pour exposer votre situation." in aid
    english = render.render_live(snap, "participant", "en")
    assert "describes the situation (1\u00a0min)" in english
    assert "You have 1\u00a0min to present" in render.render_live(snap, "facilitator", "en")


def test_the_presets_expose_keeps_its_five_to_ten_minutes(session, facilitator, participants):
    snap = at_the_expose(session, facilitator, participants)
    assert "expose sa situation (5 à 10 minutes)" in render.render_live(snap, "participant", "fr")


def test_the_list_shows_each_formats_time_boxes(client, organiser, group, one_minute_expose):
    client.force_login(organiser)
    page = text(client.get(f"/g/{group.pk}/formats/"))
    own = page[page.index("Intervision minute"):page.index("Partir d’une méthode")]
    assert "Exposé (1\u00a0min) → Clarification (15\u00a0min)" in own
    presets = page[page.index("Partir d’une méthode"):]
    assert "Exposé (10\u00a0min) → Clarification (15\u00a0min)" in presets
    assert "Apprentissages (10\u00a0min)" in presets


def test_a_codev_formats_timed_expose_speaks_of_the_client(facilitator, participants, group):
    rows = formats.preset_rows("codev")
    rows[0] = {**rows[0], "timebox": 1}
    minute = Format.objects.create(group=group, name="Codev minute", base="codev", phases=rows)
    session = Session.objects.create(group=group, format="codev", shaped_format=minute)
    session.facilitators.add(facilitator)
    snap = at_the_expose(session, facilitator, participants)
    page = render.render_live(snap, "facilitator", "fr")
    assert "Le client expose sa situation (1\u00a0min)" in page
    assert "le client expose\u00a0; les consultants écoutent" in page
    assert "porteur" not in page
    english = render.render_live(snap, "facilitator", "en")
    assert "The client describes the situation (1\u00a0min)" in english
