"""Who is in the community: a leader names other leaders and removes a person; a member
asks to join one of its groups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participants.access import get_community_membership_or_404, get_leader_membership_or_404
from participants.actions import do_apply
from participants.http import AuthenticatedHttpRequest
from participants.models import CommunityMembership, Group

from .. import queries
from ..actions import do_add_leader, do_remove_from_community
from ..forms import JoinForm, PersonForm


@login_required
@never_cache
def community_people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its leaders by name, how many members it has, and two forms: name a leader, remove
    someone (by address: the page lists no member)."""
    community = get_leader_membership_or_404(request.user, pk).community
    leader_form = PersonForm(request.POST if "lead" in request.POST else None, prefix="lead")
    remove_form = PersonForm(request.POST if "remove" in request.POST else None, prefix="remove")
    if request.method == "POST" and leader_form.is_bound and leader_form.is_valid():
        do_add_leader(
            community, leader_form.cleaned_data["email"], request.user, now=timezone.now()
        )
        messages.success(request, _("C’est fait : un e-mail prévient la personne."))
        return redirect("community_people", pk=pk)
    if request.method == "POST" and remove_form.is_bound and remove_form.is_valid():
        email = remove_form.cleaned_data["email"]
        if email == request.user.email:
            remove_form.add_error("email", _("Vous ne pouvez pas vous retirer vous-même."))
        else:
            do_remove_from_community(community, email, now=timezone.now())
            # The same answer whether or not the address was in the community.
            messages.success(
                request,
                _(
                    "Si cette adresse faisait partie de la communauté, la personne en est "
                    "retirée, ainsi que de ses groupes."
                ),
            )
            return redirect("community_people", pk=pk)
    places = CommunityMembership.objects.active().filter(community=community)
    return render(
        request,
        "communities/people.html",
        {
            "community": community,
            "leaders": places.filter(role=CommunityMembership.LEADER)
            .select_related("user")
            .order_by("joined_at"),
            "members": places.count(),
            "leader_form": leader_form,
            "remove_form": remove_form,
        },
    )


@login_required
@never_cache
def community_join(request: AuthenticatedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    """A member of the community asks to join one of its open groups: the group's questions,
    then its organisers decide (the application flow: their answer, then the invitation
    with the charter, come by e-mail)."""
    community = get_community_membership_or_404(request.user, pk).community
    group = get_object_or_404(Group.objects.open(), pk=group_pk, community=community)
    cards = queries.group_cards(community, request.user, timezone.now())
    card = next(c for c in cards if c.group.pk == group.pk)
    if not card.joinable:
        if card.mine:
            messages.info(request, _("Vous faites déjà partie de ce groupe."))
        elif card.pending:
            messages.info(request, _("Votre demande attend déjà la réponse des organisateurs."))
        else:
            messages.info(request, _("Ce groupe est complet et ne prend pas de liste d’attente."))
        return redirect("community_detail", pk=pk)
    form = JoinForm(
        request.POST or None,
        questions=group.eligibility_questions(),
        initial={"name": request.user.display_name},
    )
    if request.method == "POST" and form.is_valid():
        do_apply(
            group,
            name=form.cleaned_data["name"],
            email=request.user.email,
            answers=form.answers(),
            language=translation.get_language() or "",
        )
        if card.full:
            messages.success(
                request,
                _(
                    "Votre demande attend qu’une place se libère dans « %(group)s ». "
                    "Les organisateurs vous répondront par e-mail."
                )
                % {"group": group.name},
            )
        else:
            messages.success(
                request,
                _(
                    "Votre demande est partie aux organisateurs de « %(group)s ». Leur "
                    "réponse vous arrivera par e-mail."
                )
                % {"group": group.name},
            )
        return redirect("community_detail", pk=pk)
    return render(
        request,
        "communities/join.html",
        {"community": community, "group": group, "card": card, "form": form},
    )
