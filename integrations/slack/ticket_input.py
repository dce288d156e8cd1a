"""A new ticket as /create-ticket or its form gives it, checked field by field so Slack can
show what is wrong (the form's field errors use the same keys as its blocks)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tickets.limits import MAX_DESCRIPTION_LENGTH, MAX_EMAIL_LENGTH, MAX_SUBJECT_LENGTH
from tickets.models import TicketPriority


@dataclass(frozen=True)
class NewTicket:
    customer_email: str
    subject: str
    description: str
    priority: str = TicketPriority.MEDIUM


class InvalidTicketError(Exception):
    """What is wrong, by field: email, subject, description, priority."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def check_new_ticket(
    *, email: str, subject: str, description: str = "", priority: str = TicketPriority.MEDIUM
) -> NewTicket:
    """A missing description repeats the subject."""
    errors = {}
    email, subject, description = email.strip(), " ".join(subject.split()), description.strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = f"“{email}” is not an e-mail address." if email else "The customer's e-mail is missing."
    else:
        if len(email) > MAX_EMAIL_LENGTH:
            errors["email"] = f"The e-mail address may have at most {MAX_EMAIL_LENGTH} characters."
    if not subject:
        errors["subject"] = "The subject is missing."
    elif len(subject) > MAX_SUBJECT_LENGTH:
        errors["subject"] = f"The subject may have at most {MAX_SUBJECT_LENGTH} characters."
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = f"The description may have at most {MAX_DESCRIPTION_LENGTH} characters."
    if priority not in TicketPriority.values:
        errors["priority"] = "Choose a priority."
    if errors:
        raise InvalidTicketError(errors)
    return NewTicket(customer_email=email, subject=subject, description=description or subject, priority=priority)
