"""Forms for accounts, organisations and assessment profiles. Questionnaire forms live in answer_forms.py."""

from __future__ import annotations

from typing import Any, cast

from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .models import AIRole, Organisation, Role, Sector, Size
from .services import organisations as org_services
from .validators import validate_organisation_name

# Organisation headquarters: the eleven ASEAN members, or elsewhere.
HQ_COUNTRIES = [
    ("BN", _("Brunei Darussalam")),
    ("KH", _("Cambodia")),
    ("ID", _("Indonesia")),
    ("LA", _("Lao PDR")),
    ("MY", _("Malaysia")),
    ("MM", _("Myanmar")),
    ("PH", _("Philippines")),
    ("SG", _("Singapore")),
    ("TH", _("Thailand")),
    ("TL", _("Timor-Leste")),
    ("VN", _("Viet Nam")),
    ("XX", _("Outside ASEAN")),
]


class _CrispyForm(forms.Form):
    submit_label: Any = _("Save")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class PasswordPairMixin(forms.Form):
    # The e-mail the account will have, for a form that does not ask for it (an invitation names it): the
    # password validators compare the password with it. A form with an `email` field uses that instead.
    account_email = ""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy: the rules are worded in the language of the page that shows them, not the one active at start-up.
        help_text=lazy(password_validation.password_validators_help_text_html, str)(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            email = cleaned.get("email") or self.account_email
            account = get_user_model()(username=email, email=email) if email else None
            try:
                password_validation.validate_password(p1, user=account)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) and the organisation the account comes with.

    allauth checks the address (an address that has an account gets an e-mail saying so, and the page says the
    same as for a new one) and the password (compared with the address too); `save` creates the account and its
    organisation through the sign-up service. Sector, size and country start blank: the person chooses them.
    """

    field_order = ["email", "password1", "password2", "organisation_name", "kind", "sector", "size", "hq_country"]

    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=200, validators=[validate_organisation_name]
    )
    kind = forms.ChoiceField(
        label=_("Account type"),
        choices=Organisation.Kind.choices,
        initial=Organisation.Kind.ORGANISATION,
        help_text=_("Choose consultancy if you assess AI governance for client organisations."),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", _("Choose a sector")), *Sector.choices])
    size = forms.ChoiceField(label=_("Size"), choices=[("", _("Choose a size")), *Size.choices])
    hq_country = forms.ChoiceField(
        label=_("Country of headquarters"), choices=[("", _("Choose a country")), *HQ_COUNTRIES]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Work e-mail")
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["password1"].widget.attrs.pop("placeholder", None)
        self.fields["password2"].label = _("Password again")
        self.fields["password2"].widget.attrs.pop("placeholder", None)

    def clean_organisation_name(self) -> str:
        return " ".join(self.cleaned_data["organisation_name"].split())

    def save(self, request: HttpRequest) -> Any:
        data = self.cleaned_data
        user, _organisation = org_services.signup(
            email=data["email"],
            password=data["password1"],
            organisation_name=data["organisation_name"],
            kind=data["kind"],
            sector=data["sector"],
            size=data["size"],
            hq_country=data["hq_country"],
        )
        return user


class OrganisationForm(_CrispyForm):
    name = forms.CharField(label=_("Organisation name"), max_length=200, validators=[validate_organisation_name])
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    size = forms.ChoiceField(label=_("Size"), choices=Size.choices)
    hq_country = forms.ChoiceField(label=_("Country of headquarters"), choices=HQ_COUNTRIES)


class ClientForm(OrganisationForm):
    submit_label = _("Create client")


def report_language_choices() -> list[tuple[str, Any]]:
    """The languages a report can be in, each named in itself, after "each reader's own" (the organisation's
    default report language may be left to whoever downloads a report)."""
    return [("", _("Each reader's own language")), *settings.LANGUAGES]


class OrganisationEditForm(OrganisationForm):
    submit_label = _("Save")

    language = forms.ChoiceField(
        label=_("Report language"),
        choices=report_language_choices,
        required=False,
        help_text=_("PDF reports are in this language unless the person downloading one picks another."),
    )


class InvitationForm(_CrispyForm):
    submit_label = _("Send invitation")
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class GrantForm(_CrispyForm):
    submit_label = _("Grant access")
    consultant_email = forms.EmailField(
        label=_("Consultant's e-mail"), help_text=_("The e-mail your consultant uses for their consultancy account.")
    )
    role = forms.ChoiceField(
        label=_("Access"),
        choices=[(Role.VIEWER, _("View only")), (Role.EDITOR, _("View and edit assessments"))],
        initial=Role.EDITOR,
    )


class OrganisationDeleteForm(forms.Form):
    """Typing the organisation's name is the confirmation: a click alone is too easy for something final."""

    confirm_name = forms.CharField(label=_("Type the organisation's name to confirm"), max_length=200)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_confirm_name(self) -> str:
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != " ".join(self.organisation.name.split()).casefold():
            raise forms.ValidationError(_("That is not the organisation's name. Nothing was deleted."))
        return typed


class AccountDeleteForm(forms.Form):
    """The password is the confirmation: whoever finds a session left open must not erase the account."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password. Nothing was deleted."))
        return password


class AcceptInvitationSignupForm(PasswordPairMixin, _CrispyForm):
    submit_label = _("Create account and join")

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = email


class AssessmentProfileForm(_CrispyForm):
    submit_label = _("Save and continue")

    name = forms.CharField(
        label=_("Assessment name"), max_length=200, help_text=_("For example: Group-wide AI governance review 2026")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    size = forms.ChoiceField(label=_("Size"), choices=Size.choices)
    ai_role = forms.ChoiceField(label=_("Your role with AI"), choices=AIRole.choices, widget=forms.RadioSelect)
    uses_genai = forms.BooleanField(
        label=_("We use or build generative AI"),
        required=False,
        help_text=_("Adds the GenAI supplement (Expanded Guide on Generative AI, 2025)."),
    )
    target_markets = forms.MultipleChoiceField(
        label=_("Target markets"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The ASEAN markets you operate in or plan to. Each adds its legal requirements."),
    )

    def __init__(self, *args: Any, markets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["target_markets"]).choices = markets
