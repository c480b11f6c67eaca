"""Running a state-machine transition the one way every service does it.

A service locks its row, then calls :func:`run_transition`: a transition that
the current state does not allow is refused with a TransitionRefused (HTTP
409) in the words the service gives, a user whose role may not take it with
NotAllowed (403), and nothing changes. The transition method itself changes
fields only; the service saves and writes its event.
"""

from __future__ import annotations

from collections.abc import Callable

from django_fsm import can_proceed, has_transition_perm

from oms.errors import NotAllowed, TransitionRefused


def run_transition(
    obj,
    name: str,
    *args,
    refusal: str | Callable[[], str],
    user=None,
    not_allowed: str = "",
    code: str = "illegal_transition",
    **kwargs,
):
    """Run ``obj.<name>(*args, **kwargs)``, or refuse it in plain words.

    ``refusal`` (or a function making it) says why the state forbids it;
    ``not_allowed``, when given, is the refusal for a ``user`` lacking the
    transition's permission (``user=None`` is the system itself).
    """
    method = getattr(obj, name)
    if not can_proceed(method):
        raise TransitionRefused(refusal() if callable(refusal) else refusal, code=code)
    if not_allowed and user is not None and not has_transition_perm(method, user):
        raise NotAllowed(not_allowed)
    return method(*args, **kwargs)
