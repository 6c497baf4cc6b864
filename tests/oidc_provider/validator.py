"""The claims the test provider gives: the person's name (scope ``profile``), their e-mail
address and whether it is verified (scope ``email``), as ``views.add_user`` recorded them."""

from oauth2_provider.oauth2_validators import OAuth2Validator

# ``email_verified`` as the tests set it: membership of one of these auth groups.
UNVERIFIED, UNSAID = "email-not-verified", "email-verified-not-said"


class ClaimsValidator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        claims = {}
        if user.first_name:
            claims["name"] = user.first_name
        if user.email:
            claims["email"] = user.email
            groups = set(user.groups.values_list("name", flat=True))
            if UNSAID not in groups:
                claims["email_verified"] = UNVERIFIED not in groups
        return claims
