"""The back-office. Organisers work from the app's pages; this is for the people who run it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Application, Community, Group, Invitation, Membership, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "is_active", "is_staff"]
    search_fields = ["email", "display_name"]
    exclude = ["password"]
    actions = ["deactivate"]

    @admin.action(description=_("Désactiver les comptes sélectionnés"))
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.deactivate()

    def save_model(self, request, obj, form, change):
        # Unticking "active" goes through deactivate(), so the other apps hear of it.
        if change and "is_active" in form.changed_data and not obj.is_active:
            obj.deactivate()
        super().save_model(request, obj, form, change)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    exclude = ["eligibility_answers"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "format", "capacity", "applications_open"]
    inlines = [MembershipInline]
    readonly_fields = ["public_key"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "group", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["group"]
    search_fields = ["email"]
    # The token's hash is useless to anyone, but there is no reason to show it either.
    exclude = ["token_sha256"]
    readonly_fields = [
        "group",
        "email",
        "invited_by",
        "application",
        "created_at",
        "used_at",
        "used_by",
    ]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "group", "status", "created_at"]
    list_filter = ["status", "group"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    """Company sign-in lets a provider speak for every address of its domains: it works once
    the people who run the app checked, here, that provider and domains are the company's."""

    list_display = ["name", "email_domains", "oidc_issuer", "company_sign_in"]
    exclude = ["oidc_secret"]
    readonly_fields = ["oidc_issuer", "oidc_client_id", "email_domains"]
    actions = ["approve_sign_in"]

    @admin.display(boolean=True, description=_("connexion de l’entreprise active"))
    def company_sign_in(self, community: Community) -> bool:
        return community.has_company_sign_in

    @admin.action(
        description=_("Approuver la connexion de l’entreprise (fournisseur et domaines vérifiés)")
    )
    def approve_sign_in(self, request, queryset):
        for community in queryset:
            if community.sign_in_configured:
                community.approve_sign_in()
