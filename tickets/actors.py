"""Who makes a change, and through which door: every service call carries one."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import ChangeSource


@dataclass(frozen=True)
class Actor:
    name: str
    source: ChangeSource


SYSTEM_ACTOR = Actor(name="System", source=ChangeSource.SYSTEM)


def display_name(user: AbstractBaseUser | AnonymousUser) -> str:
    full_name = getattr(user, "get_full_name", lambda: "")()
    return full_name or user.get_username() or "anonymous"


def actor_for_user(user: AbstractBaseUser | AnonymousUser, source: ChangeSource) -> Actor:
    return Actor(name=display_name(user), source=source)
