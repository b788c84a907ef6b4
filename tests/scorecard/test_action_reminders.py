"""The daily reminder to action owners: the task, the command and the e-mails they send (scorecard/services/actions.py:
remind_action_owners, scorecard/tasks.py: send_action_reminders)."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from scorecard.languages import language_preference_set
from scorecard.models import Action, AuditEntry, Membership, Role
from scorecard.services import actions as services
from scorecard.tasks import send_action_reminders
from tests.factories import ActionFactory, AssessmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BASE = "https://scorecard.example.org"


@pytest.fixture
def people(organisation: Any, content: Any) -> dict[str, Any]:
    return {
        name: MembershipFactory(
            organisation=organisation, role=Role.EDITOR, user=UserFactory(email=f"{name}@ex.org")
        ).user
        for name in ("ana", "ben")
    }


def action(organisation: Any, owner: Any, code: str, days: int | None, status: str = "open") -> Action:
    assessment = AssessmentFactory(organisation=organisation, created_by=owner, status="submitted")
    return ActionFactory(
        assessment=assessment,
        question_code=code,
        owner=owner,
        status=status,
        due_on=None if days is None else TODAY + dt.timedelta(days=days),
    )


@pytest.fixture
def actions(organisation: Any, people: dict[str, Any]) -> dict[str, Action]:
    ana, ben = people["ana"], people["ben"]
    return {
        "ana_overdue": action(organisation, ana, "AC-01", -4),
        "ana_soon": action(organisation, ana, "TE-01", 3),
        "ana_today": action(organisation, ana, "FE-01", 0),
        "ana_later": action(organisation, ana, "HC-01", 30),
        "ana_no_date": action(organisation, ana, "HC-02", None),
        "ana_done": action(organisation, ana, "PD-01", -10, status="done"),
        "ana_accepted": action(organisation, ana, "PD-02", -10, status="risk_accepted"),
        "ben_overdue": action(organisation, ben, "SS-01", -1, status="in_progress"),
    }


def mail_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]


def test_one_email_per_owner_lists_their_overdue_and_soon_due_actions(actions: dict[str, Action]) -> None:
    run = services.remind_action_owners(base_url=BASE)
    assert (run.emails, run.actions, run.failed) == (2, 4, 0)
    assert len(mail.outbox) == 2
    (ana,) = mail_to("ana@ex.org")
    overdue, due_soon = ana.body.split("Due in the next 7 days")
    assert "Overdue" in overdue and "AC-01" in overdue and "TE-01" not in overdue
    assert "TE-01" in due_soon and "FE-01" in due_soon
    for absent in ("HC-01", "HC-02", "PD-01", "PD-02", "SS-01"):  # later, no date, closed, someone else's
        assert absent not in ana.body
    assert BASE + reverse("action_detail", args=[actions["ana_overdue"].pk]) in ana.body
    assert "1 of your actions is overdue" in ana.subject
    (ben,) = mail_to("ben@ex.org")
    assert "SS-01" in ben.body and "AC-01" not in ben.body and "Due in the next 7 days" not in ben.body
    # The recommendation is said, and the text is plain: nothing HTML-escaped.
    assert "&amp;" not in ana.body and "&#x27;" not in ana.body
    assert AuditEntry.objects.filter(action="action.remind").count() == 4


def test_no_second_email_the_same_day_but_again_the_next(actions: dict[str, Action]) -> None:
    services.remind_action_owners(base_url=BASE)
    assert len(mail.outbox) == 2
    again = services.remind_action_owners(base_url=BASE)
    assert again.emails == 0 and len(mail.outbox) == 2
    assert set(Action.objects.filter(reminded_on=TODAY).values_list("question_code", flat=True)) == {
        "AC-01",
        "TE-01",
        "FE-01",
        "SS-01",
    }
    tomorrow = services.remind_action_owners(today=TODAY + dt.timedelta(days=1), base_url=BASE)
    assert tomorrow.emails == 2 and len(mail.outbox) == 4


def test_a_new_action_the_same_day_still_reaches_an_owner_already_reminded(
    actions: dict[str, Action], organisation: Any, people: dict[str, Any]
) -> None:
    services.remind_action_owners(base_url=BASE)
    action(organisation, people["ben"], "RR-01", 2)
    services.remind_action_owners(base_url=BASE)
    latest = mail_to("ben@ex.org")
    assert len(latest) == 2 and "RR-01" in latest[-1].body and "SS-01" not in latest[-1].body


def test_in_the_language_the_owner_chose(actions: dict[str, Action], people: dict[str, Any]) -> None:
    language_preference_set(user=people["ana"], language="th")
    services.remind_action_owners(base_url=BASE)
    (ana,) = mail_to("ana@ex.org")
    (ben,) = mail_to("ben@ex.org")
    due = actions["ana_overdue"].due_on
    assert due is not None
    thai_month = {12: "ธันวาคม", 1: "มกราคม", 11: "พฤศจิกายน"}.get(due.month)
    assert re.search("[\u0e00-\u0e7f]", ana.body), ana.body  # Thai script
    if thai_month:
        assert thai_month in ana.body
    assert not re.search("[\u0e00-\u0e7f]", ben.body)  # ben chose nothing: English, the current language


def test_owners_who_left_the_organisation_get_nothing(actions: dict[str, Action], organisation: Any) -> None:
    Membership.objects.filter(organisation=organisation, user__email="ben@ex.org").delete()
    run = services.remind_action_owners(base_url=BASE)
    assert run.emails == 1 and not mail_to("ben@ex.org")
    assert Action.objects.get(pk=actions["ben_overdue"].pk).reminded_on is None


def test_a_failed_send_is_tried_again_at_the_next_run(actions: dict[str, Action], monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise smtplib.SMTPServerDisconnected("down")

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Action.objects.filter(pk=actions["ben_overdue"].pk).update(reminded_on=yesterday)
    monkeypatch.setattr(services, "send_mail", refuse)
    run = services.remind_action_owners(base_url=BASE)
    assert (run.emails, run.failed) == (0, 2)
    # The claim is given back: each action remembers the last reminder that was really sent.
    assert Action.objects.get(pk=actions["ben_overdue"].pk).reminded_on == yesterday
    assert not Action.objects.exclude(pk=actions["ben_overdue"].pk).filter(reminded_on__isnull=False).exists()
    monkeypatch.undo()
    assert services.remind_action_owners(base_url=BASE).emails == 2


def test_the_command_enqueues_the_task_or_sends_at_once(actions: dict[str, Action], settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = [BASE]
    out = StringIO()
    call_command("send_action_reminders", stdout=out)  # the immediate backend runs the task at once
    assert "Enqueued" in out.getvalue() and len(mail.outbox) == 2
    assert BASE + "/actions/" in mail.outbox[0].body
    out = StringIO()
    call_command("send_action_reminders", "--now", stdout=out)
    assert "Sent 0 reminder e-mail(s)" in out.getvalue() and len(mail.outbox) == 2
    Action.objects.update(reminded_on=None)
    call_command("send_action_reminders", "--now", "--base-url", "https://other.example", stdout=StringIO())
    assert len(mail.outbox) == 4 and "https://other.example/actions/" in mail.outbox[-1].body


def test_the_task_returns_what_it_sent(actions: dict[str, Action]) -> None:
    result = send_action_reminders.enqueue(BASE)
    assert result.return_value == {"emails": 2, "actions": 4, "failed": 0}
