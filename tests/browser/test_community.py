"""The community level in browsers (004): a leader creates a community with two groups and
its company sign-in; a newcomer signs in through the company's OpenID Connect provider,
asks to join a group from the community's page, is accepted, takes part in a session; the
leader's community Bilan shows its figures and no name or keyword."""

import re

import pytest
from playwright.sync_api import expect

from tests.oidc_provider.fixtures import PASSWORD as PROVIDER_PASSWORD

from .test_a11y import violations

pytestmark = pytest.mark.browser

NB = "\u00a0"
KEYWORD = "fusion-confidentielle"
DOMAIN = "entreprise.example"


def shell_value(table, code: str) -> str:
    return table.server.shell(code).strip().splitlines()[-1]


def create_group(page, name: str, organiser: str, rhythm: str) -> None:
    page.get_by_role("link", name="Créer un groupe", exact=True).click()
    page.locator("#id_name").fill(name)
    page.locator("#id_rhythm").fill(rhythm)
    page.locator("#id_organisers").fill(organiser)
    page.get_by_role("button", name="Créer le groupe").click()
    expect(page.locator(".messages")).to_contain_text(f"Le groupe «{NB}{name}{NB}» est créé")


def test_a_community_from_its_creation_to_its_figures(table_for, oidc_provider):
    table = table_for(outsider=True, sessions=0)
    people = table.data["people"]
    base = table.server.base_url

    # --- Oscar, in no group, creates the community and two groups, naming their organisers.
    oscar = table.person("Oscar")
    oscar.page.goto("/")
    oscar.page.get_by_role("link", name="Créer une communauté").click()
    oscar.page.locator("#id_name").fill("Produit Groupe")
    oscar.page.locator("#id_description").fill("Les PM de l’entreprise, en petits groupes.")
    oscar.page.get_by_role("button", name="Créer la communauté").click()
    expect(oscar.page.locator("h1")).to_have_text("Produit Groupe")
    community = int(re.search(r"/c/(\d+)/", oscar.page.url).group(1))
    create_group(oscar.page, "PM Lyon", people["Lucie"]["email"], "Un mardi par mois")
    create_group(oscar.page, "PM Nantes", people["Juliette"]["email"], "Un jeudi par mois")
    expect(oscar.page.locator("article.community-group")).to_have_count(2)
    assert violations(oscar.page) == []
    lyon = int(shell_value(
        table, "from participants.models import Group; print(Group.objects.get("
        f"name='PM Lyon', community_id={community}).pk)"
    ))

    # --- Its company sign-in: the provider the tests started, for one e-mail domain.
    # A domain is one a leader's own address shows: Oscar's colleague Inès leads too.
    oscar.page.goto(f"/c/{community}/personnes/")
    oscar.page.locator("#id_lead-email").fill(f"ines@{DOMAIN}")
    oscar.page.get_by_role("button", name="Nommer", exact=True).click()
    table.server.shell(
        "from django.utils import timezone; from participants.models import User;"
        f"User.objects.filter(email='ines@{DOMAIN}').update(last_login=timezone.now())"
    )
    # Setting it asks for a recent sign-in: Oscar confirms with an e-mailed link.
    oscar.page.goto(f"/account/confirm/?next=/c/{community}/connexion/")
    oscar.page.get_by_role("button", name="Recevoir un lien de confirmation par e-mail").click()
    expect(oscar.page.locator(".messages")).to_contain_text("Un lien de confirmation")
    link = re.findall(r"https?://[^\s]+/login/link/[^\s]+", table.server.full_log())[-1]
    oscar.page.goto(link)
    oscar.page.locator("main button[type=submit]").first.click()
    expect(oscar.page.locator("h1")).to_have_text("Connexion de l’entreprise")
    redirect_uri = oscar.page.locator("code").first.inner_text()
    assert redirect_uri == f"{base}/auth/oidc/c{community}/login/callback/"
    oscar.page.locator("#id_oidc_issuer").fill(oidc_provider.issuer)
    oscar.page.locator("#id_oidc_client_id").fill(oidc_provider.client_id)
    oscar.page.locator("#id_oidc_secret").fill(oidc_provider.secret)
    oscar.page.locator("#id_email_domains").fill(DOMAIN)
    oscar.page.get_by_role("button", name="Enregistrer").click()
    oscar.page.goto(f"/c/{community}/connexion/")
    expect(oscar.page.locator("main")).to_contain_text("En attente de validation")
    # The people who run the app approve provider and domain (the admin's action).
    table.server.shell(
        "from participants.models import Community;"
        f"Community.objects.get(pk={community}).approve_sign_in()"
    )
    oscar.page.reload()
    expect(oscar.page.locator("main")).to_contain_text("La connexion de l’entreprise est active.")
    oidc_provider.allow_redirect_uri(redirect_uri)
    oidc_provider.add_user(f"nora@{DOMAIN}", name="Nora")

    # --- Nora, new here, signs in through her company's provider and lands on the community.
    nora_context = table.browser.new_context(base_url=base, locale="fr-FR")
    table.allowed.append("favicon")
    nora = nora_context.new_page()
    nora.goto("/login/")
    nora.get_by_label("Adresse e-mail").fill(f"nora@{DOMAIN}")
    nora.get_by_role("button", name="Continuer").click()
    expect(nora.locator("h2")).to_contain_text("Votre entreprise a sa propre connexion")
    nora.get_by_role("button", name="Continuer avec le compte de mon entreprise").click()
    nora.get_by_label("E-mail").fill(f"nora@{DOMAIN}")
    nora.get_by_label("Password").fill(PROVIDER_PASSWORD)
    nora.get_by_role("button", name="Sign in").click()
    expect(nora.locator("h1")).to_have_text("Produit Groupe")
    # The page shows the groups, never who is in them.
    page_text = nora.locator("main").inner_text()
    assert "PM Lyon" in page_text and "Un mardi par mois" in page_text
    for name in ("Lucie", "Juliette", "Oscar"):
        assert name not in page_text

    # --- She asks to join « PM Lyon »; Lucie, its organiser, accepts.
    card = nora.locator("article.community-group", has_text="PM Lyon")
    card.get_by_role("link", name=re.compile("Demander à rejoindre")).click()
    nora.get_by_label("Votre nom").fill("Nora")
    for field in nora.locator("textarea[name^=answer_]").all():
        field.fill("PM depuis cinq ans")
    nora.get_by_role("button", name="Envoyer ma demande").click()
    expect(nora.locator(".messages")).to_contain_text("Votre demande est partie")
    assert violations(nora) == []
    lucie = table.person("Lucie")
    lucie.page.goto(f"/g/{lyon}/applications/")
    lucie.page.get_by_role("link", name="Nora", exact=True).click()
    lucie.page.get_by_role("button", name="Accepter et inviter").click()
    expect(lucie.page.locator(".messages")).to_contain_text("Candidature acceptée")
    token = re.findall(r"/invite/([A-Za-z0-9_-]+)/", table.server.full_log())[-1]
    nora.goto(f"/invite/{token}/")
    for field in nora.locator("textarea[name^=answer_]").all():
        field.fill("PM depuis cinq ans")
    nora.get_by_label("J’ai lu la charte du groupe et je m’engage à la respecter.").check()
    nora.get_by_role("button", name="Rejoindre le groupe").click()
    expect(nora.locator("h1")).to_have_text("PM Lyon")

    # --- She takes part in a session of the group: a keyword, then the session ends.
    session = int(shell_value(
        table,
        "from django.utils import timezone; from sessions_app.models import Session;"
        "from participants.models import User;"
        f"s = Session.objects.create(group_id={lyon}, format='intervision',"
        " title='Séance de Lyon', scheduled_at=timezone.now());"
        f"s.facilitators.add(User.objects.get(pk={people['Lucie']['id']})); print(s.pk)",
    ))
    lucie.page.goto(f"/s/{session}/")
    nora.goto(f"/s/{session}/")
    expect(lucie.page.locator("#live .seating li")).to_have_count(1)
    lucie.page.get_by_role("button", name="Commencer le tour de mots-clés", exact=True).click()
    nora.locator("#keyword").fill(KEYWORD)
    nora.get_by_role("button", name="Proposer", exact=True).click()
    expect(lucie.page.locator("#live")).to_contain_text(f"«{NB}{KEYWORD}{NB}»")
    nora.get_by_role("button", name="Je passe", exact=True).click()
    expect(lucie.page.locator("#live")).to_contain_text("Ordre des sujets")
    lucie.page.get_by_role("button", name="Terminer la séance", exact=True).click()
    expect(nora.locator("#live")).to_contain_text("Séance terminée")

    # --- Oscar's community Bilan: the figures, no name, no keyword; printable, and as CSV.
    oscar.page.goto(f"/c/{community}/bilan/?period=all")
    main = oscar.page.locator("main")
    expect(main).to_contain_text("PM Lyon")
    text = main.inner_text()
    for secret in ("Nora", "Lucie", "Juliette", KEYWORD, "Séance de Lyon"):
        assert secret not in text, secret
    assert violations(oscar.page) == []
    oscar.page.emulate_media(media="print")
    expect(oscar.page.locator("header nav")).to_be_hidden()
    csv = oscar.page.request.get(f"/c/{community}/bilan.csv?period=all").text()
    assert "PM Lyon" in csv and KEYWORD not in csv and "Nora" not in csv
    nora_context.close()
